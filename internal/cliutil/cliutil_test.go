package cliutil

import (
	"errors"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func testApp() *cli.App {
	flags := []cli.Flag{
		&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}},
		&cli.BoolFlag{Name: "force"},
		&cli.DurationFlag{Name: "timeout"},
		&cli.IntFlag{Name: "fanout"},
	}
	return &cli.App{Commands: []*cli.Command{
		{Name: "sweep", Flags: flags},
		{Name: "exec", Flags: flags},
		{Name: "owners", Subcommands: []*cli.Command{{Name: "explain", Flags: flags}, {Name: "lint"}}},
	}}
}

func TestNormalizeArgs(t *testing.T) {
	dash := map[string]bool{"exec": true}
	for _, tc := range []struct {
		in, want string
	}{
		{"fc sweep role=web -o json", "fc sweep -o json -- role=web"},
		{"fc sweep -o json role=web", "fc sweep -o json -- role=web"},
		{"fc sweep role=web and dc=dc1 --force --timeout=5s", "fc sweep --force --timeout=5s -- role=web and dc=dc1"},
		{"fc sweep --fanout -5 all", "fc sweep --fanout -5 -- all"},
		{"fc --debug sweep all -o json", "fc --debug sweep -o json -- all"},
		{"fc exec role=web --force -- uptime -p", "fc exec --force -- role=web -- uptime -p"},
		{"fc sweep -- role=web", "fc sweep -- role=web"},
		{"fc owners explain host1 puppet -o x", "fc owners explain -o x -- host1 puppet"},
		{"fc owners", "fc owners"},
		{"fc sweep", "fc sweep"},
		{"fc help sweep", "fc help sweep"},
	} {
		got, err := NormalizeArgs(testApp(), strings.Fields(tc.in), dash)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%q: got %q, %v, want %q", tc.in, strings.Join(got, " "), err, tc.want)
		}
	}
	for _, tc := range []struct{ in, msg string }{
		{"fc swep all", `unknown command "swep" (did you mean "sweep"?)`},
		{"fc owners frob", `unknown command "owners frob"; commands: explain, lint`},
		{"fc zzzzzzzz", `unknown command "zzzzzzzz"; commands: sweep, exec, owners`},
	} {
		_, err := NormalizeArgs(testApp(), strings.Fields(tc.in), dash)
		var ec cli.ExitCoder
		if !errors.As(err, &ec) || ec.ExitCode() != ExitUsage || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q: %v, want exit %d and %q", tc.in, err, ExitUsage, tc.msg)
		}
	}
}
