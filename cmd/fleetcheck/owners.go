package main

import (
	"fmt"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/urfave/cli/v2"
)

func ownersCommand() *cli.Command {
	statusFlag := &cli.StringFlag{Name: "status", Value: "CRITICAL", Usage: "severity of the failure, for its SLA"}
	return &cli.Command{
		Name:  "owners",
		Usage: "explain, test and lint the owners file",
		Subcommands: []*cli.Command{
			{
				Name:      "explain",
				Usage:     "which rule owns a host's failure, and why each rule did or did not match",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag),
				Action: func(c *cli.Context) error {
					m, host, check, status, err := ownersArgs(c, 1)
					if err != nil {
						return err
					}
					return ownership.WriteExplain(c.App.Writer, m.Explain(host, check, status))
				},
			},
			{
				Name:      "test",
				Usage:     "exit 1 unless TEAM owns the failure (for CI of the owners file)",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag, &cli.StringFlag{Name: "expect", Required: true, Usage: "the expected owning `TEAM`"}),
				Action: func(c *cli.Context) error {
					m, host, check, _, err := ownersArgs(c, 1)
					if err != nil {
						return err
					}
					if err := m.Test(host, check, c.String("expect")); err != nil {
						return cli.Exit(err.Error(), 1)
					}
					fmt.Fprintf(c.App.Writer, "ok: %s owns %s %s\n", c.String("expect"), host, check)
					return nil
				},
			},
			{
				Name:  "lint",
				Usage: "unknown or unused teams, rules that never match or are shadowed, hosts no rule owns",
				Flags: inputFlags(),
				Action: func(c *cli.Context) error {
					e, err := loadEnv(c)
					if err != nil {
						return err
					}
					f, _, err := e.owners(c.Context)
					if err != nil {
						return err
					}
					if f == nil {
						return usageError("owners lint: no owners file (--owners or owners: in the config)")
					}
					findings, err := f.Lint(c.Context, e.query)
					if err != nil {
						return configError(err)
					}
					if err := ownership.WriteLint(c.App.Writer, findings); err != nil {
						return err
					}
					for _, fd := range findings {
						if fd.Severity == ownership.SeverityError {
							return cli.Exit("", 1)
						}
					}
					return nil
				},
			},
		},
	}
}

// ownersArgs loads the owners matcher and reads HOST [CHECK] and --status.
func ownersArgs(c *cli.Context, min int) (*ownership.Matcher, string, string, checks.Status, error) {
	if c.NArg() < min || c.NArg() > 2 {
		return nil, "", "", 0, usageError("%s: want HOST [CHECK]", c.Command.Name)
	}
	status, err := checks.ParseStatus(c.String("status"))
	if err != nil {
		return nil, "", "", 0, usageError("--status: %v", err)
	}
	e, err := loadEnv(c)
	if err != nil {
		return nil, "", "", 0, err
	}
	_, m, err := e.owners(c.Context)
	if err != nil {
		return nil, "", "", 0, err
	}
	if m == nil {
		return nil, "", "", 0, usageError("no owners file (--owners or owners: in the config)")
	}
	return m, c.Args().Get(0), c.Args().Get(1), status, nil
}
