package main

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

// The flags shared by several commands, each defined once here with its
// default, and the options they read into.

// inputFlags name the input files; every command that reads the fleet has them.
func inputFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Usage: "configuration `FILE` (default: $FLEETCHECK_CONFIG, ./fleetcheck.yaml, ~/.config/fleetcheck/config.yaml, /etc/fleetcheck/config.yaml)"},
		&cli.StringSliceFlag{Name: "inventory", Aliases: []string{"i"}, Usage: "inventory `FILE` (native YAML, Ansible YAML or INI); repeatable"},
		&cli.StringFlag{Name: "owners", Usage: "owners `FILE`"},
		&cli.StringFlag{Name: "ssh-config", Usage: "OpenSSH client config `FILE` (default ~/.ssh/config; \"none\" to ignore)"},
		&cli.StringSliceFlag{Name: "known-hosts", Usage: "known_hosts `FILE`; repeatable (default: from ssh config, else ~/.ssh/known_hosts)"},
	}
}

// readInputs reads the input flags.
func readInputs(c *cli.Context) fleetenv.Inputs {
	return fleetenv.Inputs{
		Config: c.String("config"), Inventory: c.StringSlice("inventory"), Owners: c.String("owners"),
		SSHConfig: c.String("ssh-config"), KnownHosts: c.StringSlice("known-hosts"),
	}
}

// loadEnv loads the configuration and inventory the inputs name.
func loadEnv(in fleetenv.Inputs) (*fleetenv.Env, error) {
	home, _ := os.UserHomeDir()
	e, err := fleetenv.Load(in, os.Getenv, home)
	if err != nil {
		return nil, inputError(err)
	}
	return e, nil
}

// loadHosts loads the inputs and evaluates q; a query that selects
// nothing is exit 3.
func loadHosts(ctx context.Context, in fleetenv.Inputs, q string) (*fleetenv.Env, []inventory.Host, error) {
	e, err := loadEnv(in)
	if err != nil {
		return nil, nil, err
	}
	hosts, err := e.SelectSome(ctx, q)
	if err != nil {
		return nil, nil, inputError(err)
	}
	return e, hosts, nil
}

// checkTeam rejects a team that the owners file does not define (flag
// names the flag): a typo must not read as "no failures for that team".
func checkTeam(flag, team string, f *ownership.File) error {
	if team == "" {
		return nil
	}
	if f == nil {
		return usageError("%s %s: no owners file (give --owners, or owners: in the config)", flag, team)
	}
	if err := f.UnknownTeam(team); err != nil {
		return usageError("%s: %v", flag, err)
	}
	return nil
}

// connDefaults are the defaults of the connection flags.
type connDefaults struct {
	fanout                  int
	timeout, connectTimeout time.Duration
	timeoutUsage            string
}

// productDefaults are the defaults of sweep and exec (SPEC "Main flags").
func productDefaults() connDefaults {
	return connDefaults{
		fanout: runner.DefaultFanout, timeout: 30 * time.Second, connectTimeout: 10 * time.Second,
		timeoutUsage: "per host: connection and all its commands",
	}
}

// connFlags are the flags every command that connects has: how many hosts
// at once and how long to wait.
func connFlags(d connDefaults) []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "fanout", Value: d.fanout, Usage: "hosts in parallel, `N` ≥ 1"},
		&cli.DurationFlag{Name: "timeout", Value: d.timeout, Usage: d.timeoutUsage},
		&cli.DurationFlag{Name: "connect-timeout", Value: d.connectTimeout, Usage: "TCP connect plus SSH handshake"},
		&cli.DurationFlag{Name: "global-timeout", Usage: "stop the whole run after this long and report what finished (0: none)"},
	}
}

// runnerFlags are the connection flags of commands that connect to the
// configured fleet.
func runnerFlags() []cli.Flag {
	return append(connFlags(productDefaults()),
		&cli.StringFlag{Name: "user", Usage: "SSH user when neither the inventory nor the ssh config names one"},
		&cli.BoolFlag{Name: "accept-new", Usage: "record unknown host keys in the first writable known_hosts file (never a changed or revoked one), like StrictHostKeyChecking=accept-new"},
	)
}

// readConn reads and checks the connection flags: a value that cannot
// work is a usage error naming the flag and what it takes.
func readConn(c *cli.Context) (fleetenv.Conn, error) {
	o := fleetenv.Conn{
		Fanout: c.Int("fanout"), Timeout: c.Duration("timeout"), ConnectTimeout: c.Duration("connect-timeout"),
		GlobalTimeout: c.Duration("global-timeout"), User: c.String("user"), AcceptNew: c.Bool("accept-new"),
		Set: map[string]bool{},
	}
	for _, n := range []string{"fanout", "timeout", "connect-timeout", "global-timeout"} {
		o.Set[n] = c.IsSet(n)
	}
	if err := o.Validate(); err != nil {
		return o, inputError(err)
	}
	return o, nil
}

// sweepFlags are the flags of the commands that sweep: which checks, which
// outputs, which team.
func sweepFlags(defaultChecks string) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "check", Aliases: []string{"c"}, Usage: "checks to run, `NAME[,NAME]` (default: " + defaultChecks + ")"},
		&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
		&cli.StringFlag{Name: "output-file", Usage: "write the (last) output format to `FILE`, atomically"},
		&cli.StringFlag{Name: "team", Usage: "only this team's failures (the exit code reflects only them)"},
		&cli.BoolFlag{Name: "no-progress", Usage: "no progress bar on stderr"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "table: every exact summary on its own line (no ranges, no folding)"},
		&cli.StringFlag{Name: "status", Usage: "table: only failures at least this bad, `STATUS` (warning, unknown, unreachable, critical)"},
	}
}

// sweepOptions are the options of the commands that sweep.
type sweepOptions struct {
	query      string
	checks     []string
	formats    []string // -o as given; the default format applies when empty
	outputFile string
	team       string
	progress   bool
	verbose    bool   // -v: the table's every exact summary
	minStatus  string // --status as given
}

// readSweep reads the sweep flags and the query.
func readSweep(c *cli.Context) sweepOptions {
	o := sweepOptions{
		query: strings.Join(c.Args().Slice(), " "), formats: c.StringSlice("output"),
		outputFile: c.String("output-file"), team: c.String("team"), progress: !c.Bool("no-progress"),
		verbose: c.Bool("verbose"), minStatus: c.String("status"),
	}
	for _, v := range c.StringSlice("check") {
		o.checks = append(o.checks, strings.Split(v, ",")...)
	}
	return o
}

// table validates --status and returns the table's options (-v, --status, --team).
func (o sweepOptions) table() (report.TableOptions, error) {
	opts := report.TableOptions{Verbose: o.verbose, Team: o.team}
	if o.minStatus != "" {
		st, err := health.ParseStatus(o.minStatus)
		if err != nil || st == health.OK {
			return opts, usageError("--status %q: want warning, unknown, unreachable or critical", o.minStatus)
		}
		opts.MinStatus = st
	}
	return opts, nil
}

// outputs validates -o and --output-file (def: the configured default format).
func (o sweepOptions) outputs(def string) ([]sweep.Output, error) {
	outs, err := sweep.ParseOutputs(o.formats, def, o.outputFile)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return outs, nil
}
