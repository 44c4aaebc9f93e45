// Command fleetcheck runs health checks across a fleet over SSH, attributes
// each failure to the team that owns it and reports the result for people
// (grouped table), cron jobs and dashboards (JSON, NDJSON, Prometheus).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Exit codes of SPEC.md that are not check statuses.
const (
	exitUsage       = 64  // bad flag, bad query syntax
	exitConfig      = 78  // bad inventory, owners, checks or config file
	exitInterrupted = 130 // interrupted before anything was seen
	exitNoVerdict   = 3   // as UNKNOWN: e.g. a query that selects no hosts
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, args)
	return exitCode(err, stderr)
}

// exitCode prints err (if any) and maps it to an exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		if msg := err.Error(); msg != "" {
			fmt.Fprintln(stderr, "fleetcheck:", msg)
		}
		return coder.ExitCode()
	}
	fmt.Fprintln(stderr, "fleetcheck:", err)
	return 1
}

// usageError is a bad command line: exit 64.
func usageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), exitUsage)
}

// configError is a bad input file: exit 78.
func configError(err error) error {
	return cli.Exit(err.Error(), exitConfig)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	onUsage := func(_ *cli.Context, err error, _ bool) error { return usageError("%v", err) }
	app := &cli.App{
		Name:  "fleetcheck",
		Usage: "run health checks across a fleet over SSH and route each failure to its owner",
		Description: "Exit codes: 0 all OK, 1 worst WARNING, 2 some CRITICAL, 3 worst UNKNOWN or UNREACHABLE,\n" +
			"64 usage error, 78 configuration error, 130 interrupted.",
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		OnUsageError:   onUsage,
		ExitErrHandler: func(*cli.Context, error) {}, // run maps errors to exit codes; never os.Exit from here
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "debug", Usage: "log diagnostics to stderr"},
		},
		Before: func(c *cli.Context) error {
			level := slog.LevelWarn
			if c.Bool("debug") {
				level = slog.LevelDebug
			}
			slog.SetDefault(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})))
			return nil
		},
		Commands: []*cli.Command{
			sweepCommand(),
			hostsCommand(),
			execCommand(),
			checksCommand(),
			ownersCommand(),
			mergeCommand(),
			demoCommand(),
			simCommand(),
			benchCommand(),
		},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "fleetcheck: unknown command %q (see fleetcheck --help)\n", name)
		},
	}
	for _, cmd := range app.Commands {
		setUsageHandler(cmd, onUsage)
	}
	return app
}

// setUsageHandler makes flag errors of cmd and its subcommands exit 64.
func setUsageHandler(cmd *cli.Command, h cli.OnUsageErrorFunc) {
	cmd.OnUsageError = h
	for _, sub := range cmd.Subcommands {
		setUsageHandler(sub, h)
	}
}
