package main

import (
	"os"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/cliutil"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

// The flags shared by several commands, each defined once here with its
// default and bound to the options it sets (cli/cli's shape: a command's
// flags write its options struct; nothing reads a flag by name twice).

// inputOptions are the input files the command line names.
type inputOptions struct {
	fleetenv.Inputs
	inventory, knownHosts cli.StringSlice
}

// flags are the input flags; every command that reads the fleet has them.
func (in *inputOptions) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "config", Destination: &in.Config, Usage: "configuration `FILE` (default: $FLEETCHECK_CONFIG, ./fleetcheck.yaml, ~/.config/fleetcheck/config.yaml, /etc/fleetcheck/config.yaml)"},
		&cli.StringSliceFlag{Name: "inventory", Aliases: []string{"i"}, Destination: &in.inventory, Usage: "inventory `FILE` (native YAML, Ansible YAML or INI); repeatable"},
		&cli.StringFlag{Name: "owners", Destination: &in.Owners, Usage: "owners `FILE`"},
		&cli.StringFlag{Name: "ssh-config", Destination: &in.SSHConfig, Usage: "OpenSSH client config `FILE` (default ~/.ssh/config; \"none\" to ignore)"},
		&cli.StringSliceFlag{Name: "known-hosts", Destination: &in.knownHosts, Usage: "known_hosts `FILE`; repeatable (default: from ssh config, else ~/.ssh/known_hosts)"},
	}
}

// load loads the configuration and inventory the inputs name (its errors
// carry their exit code: 78 for a file, 64 for the command line).
func (in *inputOptions) load() (*fleetenv.Env, error) {
	in.Inventory, in.KnownHosts = in.inventory.Value(), in.knownHosts.Value()
	home, _ := os.UserHomeDir()
	return fleetenv.Load(in.Inputs, os.Getenv, home)
}

// checkTeam rejects a team that the owners file does not define (flag
// names the flag): a typo must not read as "no failures for that team".
func checkTeam(flag, team string, f *ownership.File) error {
	if team == "" {
		return nil
	}
	if f == nil {
		return cliutil.Usagef("%s %s: no owners file (give --owners, or owners: in the config)", flag, team)
	}
	if err := f.UnknownTeam(team); err != nil {
		return cliutil.Usagef("%s: %v", flag, err)
	}
	return nil
}

// checkReportTeam is checkTeam("--team") for a report of the store
// (digest, budget), which may also name the unowned team and the owners
// file's fallback.
func checkReportTeam(team string, f *ownership.File) error {
	if team == health.UnownedTeam || (f != nil && team == f.Fallback) {
		return nil
	}
	return checkTeam("--team", team, f)
}

// formatFlag is -o/--output of a command that writes one of formats (the
// default first) into dst; the command checks the value with
// cliutil.CheckFormat.
func formatFlag(dst *string, formats ...string) cli.Flag {
	return &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: formats[0], Destination: dst, Usage: "output `FORMAT`: " + strings.Join(formats, " or ")}
}

// stateFlag is --state (an SQLite file or a postgres:// URL) into dst.
func stateFlag(dst *string) cli.Flag {
	return &cli.StringFlag{Name: "state", Destination: dst, Usage: "the state store: an SQLite `FILE` or a postgres:// URL (default: state: in the config)"}
}

// connOptions are the connection flags: how many hosts at once and how
// long to wait.
type connOptions struct{ fleetenv.Conn }

// connDefaults are the defaults of the connection flags.
type connDefaults struct {
	fanout                  int
	timeout, connectTimeout time.Duration
	timeoutUsage            string
}

// flags are the flags every command that connects has.
func (o *connOptions) flags(d connDefaults) []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "fanout", Value: d.fanout, Destination: &o.Fanout, Usage: "hosts in parallel, `N` ≥ 1"},
		&cli.DurationFlag{Name: "timeout", Value: d.timeout, Destination: &o.Timeout, Usage: d.timeoutUsage},
		&cli.DurationFlag{Name: "connect-timeout", Value: d.connectTimeout, Destination: &o.ConnectTimeout, Usage: "TCP connect plus SSH handshake"},
		&cli.DurationFlag{Name: "global-timeout", Destination: &o.GlobalTimeout, Usage: "stop the whole run after this long and report what finished (0: none)"},
	}
}

// runnerFlags are the connection flags of commands that connect to the
// configured fleet, with the product's defaults (SPEC "Main flags").
func (o *connOptions) runnerFlags() []cli.Flag {
	return append(o.flags(connDefaults{fanout: runner.DefaultFanout, timeout: 30 * time.Second, connectTimeout: 10 * time.Second,
		timeoutUsage: "per host: connection and all its commands"}),
		&cli.StringFlag{Name: "user", Destination: &o.User, Usage: "SSH user when neither the inventory nor the ssh config names one"},
		&cli.BoolFlag{Name: "accept-new", Destination: &o.AcceptNew, Usage: "record unknown host keys in the first writable known_hosts file (never a changed or revoked one), like StrictHostKeyChecking=accept-new"},
	)
}

// check notes which timeouts were given (the others take the
// configuration's defaults) and refuses values that cannot work (64,
// naming the flag).
func (o *connOptions) check(c *cli.Context) error {
	o.Set = map[string]bool{}
	for _, n := range []string{"fanout", "timeout", "connect-timeout", "global-timeout"} {
		o.Set[n] = c.IsSet(n)
	}
	return o.Validate()
}

// sweepOptions are the options of the commands that sweep: which checks,
// which outputs, which team.
type sweepOptions struct {
	query            string
	checks, formats  cli.StringSlice // -o as given; the default format applies when empty
	outputFile, team string
	noProgress       bool
	verbose          bool   // -v: the table's every exact summary
	minStatus        string // --status as given
	outs             []sweep.Output
	table            report.TableOptions
}

// flags are the sweep flags.
func (o *sweepOptions) flags(defaultChecks string) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "check", Aliases: []string{"c"}, Destination: &o.checks, Usage: "checks to run, `NAME[,NAME]` (default: " + defaultChecks + ")"},
		&cli.StringSliceFlag{Name: "output", Aliases: []string{"o"}, Destination: &o.formats, Usage: "output `FORMAT`: table, json, ndjson, prometheus; repeatable"},
		&cli.StringFlag{Name: "output-file", Destination: &o.outputFile, Usage: "write the (last) output format to `FILE`, atomically"},
		&cli.StringFlag{Name: "team", Destination: &o.team, Usage: "only this team's failures (the exit code reflects only them)"},
		&cli.BoolFlag{Name: "no-progress", Destination: &o.noProgress, Usage: "no progress bar on stderr"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Destination: &o.verbose, Usage: "table: every exact summary on its own line (no ranges, no folding)"},
		&cli.StringFlag{Name: "status", Destination: &o.minStatus, Usage: "table: only failures at least this bad, `STATUS` (warning, unknown, unreachable, critical)"},
	}
}

// check validates -o, --output-file (def: the configured default format)
// and --status, and sets outs and table.
func (o *sweepOptions) check(def string) error {
	var err error
	if o.outs, err = sweep.ParseOutputs(o.formats.Value(), def, o.outputFile); err != nil {
		return cliutil.Usagef("%v", err)
	}
	st, err := sweep.ParseMinStatus(o.minStatus)
	if err != nil {
		return cliutil.Usagef("%v", err)
	}
	o.table = report.TableOptions{Verbose: o.verbose, Team: o.team, MinStatus: st}
	return nil
}

// checkNames are the names -c gave (comma-separated or repeated).
func (o *sweepOptions) checkNames() []string {
	var names []string
	for _, v := range o.checks.Value() {
		names = append(names, strings.Split(v, ",")...)
	}
	return names
}
