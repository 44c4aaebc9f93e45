// Command fleetcheck-bench measures what sweeps of simulated fleets cost
// the machine they run on: wall time, hosts/s, client CPU per host, peak
// RSS and allocations, optionally against one OpenSSH process per host.
// See bench/README.md.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/fleetcheck/fleetcheck/internal/bench"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/urfave/cli/v2"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the command line and returns the exit code: 64 for a
// usage error, 1 for a failed measurement.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	action, flags, commands := bench.Commands()
	app := &cli.App{
		Name:  "fleetcheck-bench",
		Usage: "measure sweeps of simulated fleets: wall time, hosts/s, client CPU per host, peak RSS, allocations; optionally against OpenSSH",
		Description: "Each scenario (every combination of --hosts, --latency and --fanout) starts a simulated fleet as its own\n" +
			"process, then sweeps it --runs times with the default checks in a child process whose CPU time and peak\n" +
			"RSS are taken from wait4; the medians are reported. With --openssh the same hosts are also swept by one\n" +
			"`ssh` process per host at the same parallelism, as pssh and clush do.",
		Writer: stdout, ErrWriter: stderr,
		Flags: flags, Action: action, Commands: commands,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	cliutil.UsageErrors(app)
	return cliutil.ExitStatus(app.RunContext(ctx, args), stderr, "fleetcheck-bench")
}
