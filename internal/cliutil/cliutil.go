// Package cliutil is what fleetcheck's commands add to urfave/cli: flags
// after positional arguments, unknown commands as usage errors, and "did
// you mean" for commands, flags and any other name.
package cliutil

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/urfave/cli/v2"
)

// NormalizeArgs resolves the command named in args and moves the flags
// that follow its positional arguments in front of them, so that
// `sweep 'role=web' -o json` parses as `sweep -o json -- role=web` (a
// query word never starts with '-'). For a command in dashDash the
// arguments from a literal "--" on are kept as they are (exec's command);
// elsewhere a "--" only ends the flags. An unknown command or subcommand
// is a usage error that suggests the nearest name.
func NormalizeArgs(app *cli.App, args []string, dashDash map[string]bool) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	out := []string{args[0]}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		out = append(out, args[i]) // the app's own flags (--debug, --help, --version)
		i++
	}
	cmds, path := app.Commands, ""
	var cmd *cli.Command
	for i < len(args) && !strings.HasPrefix(args[i], "-") && (cmd == nil || len(cmd.Subcommands) > 0) {
		name := args[i]
		if cmd == nil && (name == "help" || name == "h") {
			return args, nil
		}
		next := findCommand(cmds, name)
		if next == nil {
			return nil, unknownCommand(strings.TrimSpace(path+" "+name), name, cmds)
		}
		cmd, cmds, path = next, next.Subcommands, strings.TrimSpace(path+" "+next.Name)
		out = append(out, name)
		i++
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return append(out, args[i:]...), nil
	}
	flags, positional := splitFlags(cmd.Flags, args[i:], dashDash[cmd.Name])
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(append(out, "--"), positional...)
	}
	return out, nil
}

// ExitUsage is the exit code of a usage error (sysexits' EX_USAGE).
const ExitUsage = health.ExitUsage

// findCommand is the command of cmds named (or aliased) name.
func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if slices.Contains(c.Names(), name) {
			return c
		}
	}
	return nil
}

// unknownCommand is the usage error for a command name that is not one of cmds.
func unknownCommand(full, name string, cmds []*cli.Command) error {
	var names []string
	for _, c := range cmds {
		if !c.Hidden {
			names = append(names, c.Name)
		}
	}
	msg := fmt.Sprintf("unknown command %q%s", full, suggest.DidYouMean(name, names))
	return cli.Exit(fmt.Sprintf("%s; commands: %s (see --help)", msg, strings.Join(names, ", ")), ExitUsage)
}

// splitFlags separates args into flags (each with its value when it
// takes one) and positional arguments, in order. With keepDashDash the
// first "--" and everything after it are positional.
func splitFlags(defs []cli.Flag, args []string, keepDashDash bool) (flags, positional []string) {
	takesValue := map[string]bool{}
	for _, f := range defs {
		tv, ok := f.(interface{ TakesValue() bool })
		for _, n := range f.Names() {
			takesValue[n] = ok && tv.TakesValue()
		}
	}
	for j := 0; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			if keepDashDash {
				return flags, append(positional, args[j:]...)
			}
			return flags, append(positional, args[j+1:]...)
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if !strings.Contains(name, "=") && takesValue[name] && j+1 < len(args) {
			j++
			flags = append(flags, args[j])
		}
	}
	return flags, positional
}

// flagErrorRE matches the flag package's messages about one flag.
var flagErrorRE = regexp.MustCompile(`^(?:invalid value "(.*)" for flag -+([\w-]+): .*|flag provided but not defined: -+([\w-]+))$`)

// UsageMessage rewrites a flag parsing error to name the flag and what it
// takes, or the nearest known flag.
func UsageMessage(err error, defs []cli.Flag) string {
	m := flagErrorRE.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	if m[3] != "" {
		var names []string
		for _, f := range defs {
			names = append(names, f.Names()...)
		}
		msg := fmt.Sprintf("unknown flag %s", dashed(m[3]))
		if s := suggest.Nearest(m[3], names); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", dashed(s))
		}
		return msg
	}
	value, name := m[1], m[2]
	for _, f := range defs {
		if !slices.Contains(f.Names(), name) {
			continue
		}
		switch f.(type) {
		case *cli.DurationFlag:
			return fmt.Sprintf("%s: expected a duration with a unit, such as 30s, 5m or 1h, found %q", dashed(f.Names()[0]), value)
		case *cli.IntFlag:
			return fmt.Sprintf("%s: expected a whole number, found %q", dashed(f.Names()[0]), value)
		case *cli.Float64Flag:
			return fmt.Sprintf("%s: expected a number, found %q", dashed(f.Names()[0]), value)
		}
	}
	return err.Error()
}

// dashed writes a flag name as it is typed: -o, --output.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// UsageErrors makes a flag error of app or of any of its commands a usage
// error (exit 64) whose message names the flag and what it takes.
func UsageErrors(app *cli.App) {
	h := func(c *cli.Context, err error, _ bool) error {
		defs := c.App.Flags
		if c.Command != nil && len(c.Command.Flags) > 0 {
			defs = c.Command.Flags
		}
		return cli.Exit(UsageMessage(err, defs), ExitUsage)
	}
	app.OnUsageError = h
	var set func([]*cli.Command)
	set = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = h
			set(c.Subcommands)
		}
	}
	set(app.Commands)
}

// ExitStatus prints err (if any, and unless its message is empty) on
// stderr after "program: " and returns the process exit code: 0 for nil,
// a cli.ExitCoder's code, else 1.
func ExitStatus(err error, stderr io.Writer, program string) int {
	if err == nil {
		return 0
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(stderr, program+":", msg)
	}
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		return coder.ExitCode()
	}
	return 1
}
