// Command fleetcheck runs health checks across a fleet over SSH, attributes
// each failure to the team that owns it and reports the result for people
// (grouped table), cron jobs and dashboards (JSON, NDJSON, Prometheus).
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/urfave/cli/v2"
)

// Exit codes of SPEC.md that are not check statuses (cliutil's) that the
// commands return themselves.
const (
	exitConfig      = cliutil.ExitConfig
	exitInterrupted = cliutil.ExitInterrupted
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, systemTerminal())
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, t *terminal) int {
	app := newApp(t)
	args, err := cliutil.NormalizeArgs(app, args, map[string]bool{"exec": true})
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	return cliutil.ExitStatus(err, t.Err, "fleetcheck")
}

func newApp(t *terminal) *cli.App {
	app := &cli.App{
		Name:  "fleetcheck",
		Usage: "run health checks across a fleet over SSH and route each failure to its owner",
		Description: "Exit codes: 0 all OK, 1 worst WARNING, 2 some CRITICAL, 3 worst UNKNOWN or UNREACHABLE,\n" +
			"64 usage error, 78 configuration error, 130 interrupted.",
		Reader:         t.In,
		Writer:         t.Out,
		ErrWriter:      t.Err,
		ExitErrHandler: func(*cli.Context, error) {}, // run maps errors to exit codes; never os.Exit from here
		HideVersion:    true,                         // --version is ours: the same text as fleetcheck version
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "debug", Usage: "log diagnostics to stderr"},
			&cli.BoolFlag{Name: "version", Usage: "print the version, commit and Go version"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				return cliutil.WriteVersion(t.Out, "fleetcheck")
			}
			if c.NArg() > 0 {
				return cliutil.Usagef("unknown command %q (see fleetcheck --help)", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Before: func(c *cli.Context) error {
			slog.SetDefault(cliutil.Logger(t.Err, c.Bool("debug")))
			return nil
		},
		Commands: []*cli.Command{
			newSweepCmd(t),
			newHostsCmd(t),
			newExecCmd(t),
			newChecksCmd(t),
			newOwnersCmd(t),
			newDigestCmd(t),
			newHistoryCmd(t),
			newAckCmd(t),
			newMaintenanceCmd(t),
			newBudgetCmd(t),
			newMergeCmd(t),
			newDemoCmd(t),
			newSimCmd(t),
			newVersionCmd(t),
			newCompletionCmd(t),
		},
	}
	cliutil.UsageErrors(app)
	return app
}
