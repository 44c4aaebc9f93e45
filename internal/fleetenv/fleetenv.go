// Package fleetenv loads what a fleetcheck command reads before it acts:
// the configuration, the inventories, the query environment (PuppetDB
// included), the owners file and the checks to run.
package fleetenv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/fleetcheck/fleetcheck/state"
)

// UsageError is an error of the command line (a query syntax error, an
// unknown check name) rather than of an input file.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode is SPEC's exit code of a usage error, 64.
func (e *UsageError) ExitCode() int { return health.ExitUsage }

// usagef is a UsageError.
func usagef(format string, args ...any) error {
	return &UsageError{fmt.Errorf(format, args...)}
}

// ConfigError is an error of an input file (configuration, inventory,
// owners, checks, state store) or of what it names (PuppetDB).
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// ExitCode is SPEC's exit code of a configuration error, 78.
func (e *ConfigError) ExitCode() int { return health.ExitConfig }

// configErr is err as a ConfigError, unless it is nil or already carries
// its exit code: every error an Env method returns says how to exit.
func configErr(err error) error {
	var coded interface{ ExitCode() int }
	if err == nil || errors.As(err, &coded) {
		return err
	}
	return &ConfigError{err}
}

// Inputs are the input files named on the command line; empty fields
// leave the configuration's.
type Inputs struct {
	Config     string   // --config; "" locates it ($FLEETCHECK_CONFIG, ./fleetcheck.yaml, ...)
	Inventory  []string // --inventory
	Owners     string   // --owners
	SSHConfig  string   // --ssh-config
	KnownHosts []string // --known-hosts
}

// Env is the loaded configuration, inventory and query environment.
type Env struct {
	Config    *config.Config
	Inventory *inventory.Inventory // empty (not nil) when none is configured: D{} queries still work
	Query     *query.Env
}

// Load locates and loads the configuration (getenv and home as for
// config.Locate), applies in over it and loads the inventories.
func Load(in Inputs, getenv func(string) string, home string) (*Env, error) {
	cfg, err := LoadConfig(in.Config, getenv, home)
	if err != nil {
		return nil, err
	}
	if len(in.Inventory) > 0 {
		cfg.Inventory, cfg.InventoryNode = in.Inventory, nil
	}
	if in.Owners != "" {
		cfg.Owners, cfg.OwnersNode = in.Owners, nil
	}
	if in.SSHConfig != "" {
		cfg.SSHConfig = in.SSHConfig
	}
	if len(in.KnownHosts) > 0 {
		cfg.KnownHosts = in.KnownHosts
	}
	inv, err := loadInventories(cfg)
	if err != nil {
		return nil, configErr(err)
	}
	qenv := &query.Env{Inventory: inv, KnownHosts: cfg.KnownHosts}
	if cfg.PuppetDB.URL != "" {
		db, err := query.NewPuppetDBClient(query.PuppetDBOptions{
			URL: cfg.PuppetDB.URL, CAFile: cfg.PuppetDB.CA, CertFile: cfg.PuppetDB.Cert,
			KeyFile: cfg.PuppetDB.Key, Timeout: cfg.PuppetDB.Timeout,
		})
		if err != nil {
			return nil, configErr(fmt.Errorf("puppetdb: %w", err))
		}
		qenv.PuppetDB = db
	}
	return &Env{Config: cfg, Inventory: inv, Query: qenv}, nil
}

// LoadConfig locates (config.Locate) and loads the configuration file
// alone, without the inventories; none found is an empty configuration.
func LoadConfig(file string, getenv func(string) string, home string) (*config.Config, error) {
	path, err := config.Locate(file, getenv, home)
	if err != nil || path == "" {
		return &config.Config{}, configErr(err)
	}
	cfg, err := config.Load(path)
	return cfg, configErr(err)
}

// loadInventories merges the configured inventories (an inline one and
// files); host names must be unique across them.
func loadInventories(cfg *config.Config) (*inventory.Inventory, error) {
	var hosts []inventory.Host
	aliases := map[string]string{}
	load := make([]func() (*inventory.Inventory, error), 0, len(cfg.Inventory)+1)
	if cfg.InventoryNode != nil {
		load = append(load, func() (*inventory.Inventory, error) { return inventory.LoadNativeNode(cfg.Path, cfg.InventoryNode) })
	}
	for _, p := range cfg.Inventory {
		load = append(load, func() (*inventory.Inventory, error) { return inventory.LoadFile(p) })
	}
	for _, l := range load {
		inv, err := l()
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, inv.Hosts...)
		for k, v := range inv.Aliases {
			aliases[k] = v
		}
	}
	return inventory.New(hosts, aliases)
}

// Select evaluates the query; a syntax error is a UsageError.
func (e *Env) Select(ctx context.Context, q string) ([]inventory.Host, error) {
	hosts, err := query.Select(ctx, e.Query, q)
	if err != nil {
		var pe *posfile.Error
		if errors.As(err, &pe) && pe.File == "query" {
			return nil, &UsageError{err}
		}
		return nil, configErr(err)
	}
	return hosts, nil
}

// NothingSelectedError is a query that selects no host: nothing was
// checked, which must not read as "no failures" (exit 3).
type NothingSelectedError struct {
	Query          string // as given; "" is all
	InventoryHosts int    // hosts in the inventory: 0 means none was loaded
}

// ExitCode is 3: nothing was checked, as UNKNOWN.
func (e *NothingSelectedError) ExitCode() int { return health.ExitNoVerdict }

func (e *NothingSelectedError) Error() string {
	q := cmp.Or(e.Query, "all")
	if e.InventoryHosts == 0 {
		return fmt.Sprintf("no inventory was loaded (give --inventory, or inventory: in the config): the query %q selects no hosts", q)
	}
	return fmt.Sprintf("the query %q selects no hosts: nothing was checked (see fleetcheck hosts)", q)
}

// SelectSome is Select refusing a query that selects no host with a
// *NothingSelectedError.
func (e *Env) SelectSome(ctx context.Context, q string) ([]inventory.Host, error) {
	hosts, err := e.Select(ctx, q)
	if err == nil && len(hosts) == 0 {
		err = &NothingSelectedError{Query: q, InventoryHosts: len(e.Inventory.Hosts)}
	}
	return hosts, err
}

// SweepInfo is what the state store must know of a sweep of hosts (their
// names) to tell gone from fixed: the configured checks and, when an
// inventory is loaded, its hosts (plus the swept ones: hosts swept without
// being in the inventory, D{...}, are not gone). Shard is the caller's.
func (e *Env) SweepInfo(hosts []string) (state.SweepInfo, error) {
	configured, err := e.CheckNames()
	if err != nil {
		return state.SweepInfo{}, err // a ConfigError
	}
	info := state.SweepInfo{Hosts: hosts, Configured: configured}
	if len(e.Inventory.Hosts) > 0 {
		info.Inventory = append(e.Inventory.Names(), hosts...)
	}
	return info, nil
}

// configured is the checks of the configuration, nil when it has none.
func (e *Env) configured() ([]checks.Configured, error) {
	if e.Config.Checks == nil {
		return nil, nil
	}
	cs, err := checks.LoadConfig(e.Config.ChecksFile, e.Config.Checks, checks.Builtins())
	return cs, configErr(err)
}

// CheckNames is every check a rule or -c may name: the built-in types
// and the configured checks, sorted.
func (e *Env) CheckNames() ([]string, error) {
	configured, err := e.configured()
	if err != nil {
		return nil, err
	}
	names := checks.Builtins().Names()
	for _, c := range configured {
		names = append(names, c.Check.Name())
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// Checks builds the checks to run: the names given (a configured name or
// a built-in type; an unknown one is a UsageError), else every
// configured check, else the built-in defaults. Each check's hosts:
// query is evaluated once.
func (e *Env) Checks(ctx context.Context, names []string) ([]sweep.Check, error) {
	reg := checks.Builtins()
	configured, err := e.configured()
	if err != nil {
		return nil, err
	}
	byName := map[string]checks.Configured{}
	for _, c := range configured {
		byName[c.Check.Name()] = c
	}
	var chosen []checks.Configured
	switch {
	case len(names) > 0:
		for _, n := range names {
			if c, ok := byName[n]; ok {
				chosen = append(chosen, c)
				continue
			}
			if _, ok := reg[n]; !ok {
				return nil, usagef("unknown check %q (see fleetcheck checks)", n)
			}
			ck, err := reg.New(n, n, checks.Params{})
			if err != nil {
				return nil, usagef("check %s needs parameters in the configuration: %v", n, err)
			}
			chosen = append(chosen, checks.Configured{Check: ck, Type: n})
		}
	case len(configured) > 0:
		chosen = configured
	default:
		for _, n := range reg.Defaults() {
			ck, err := reg.New(n, n, checks.Params{})
			if err != nil {
				return nil, configErr(fmt.Errorf("built-in check %s: %w", n, err))
			}
			chosen = append(chosen, checks.Configured{Check: ck, Type: n})
		}
	}
	out := make([]sweep.Check, 0, len(chosen))
	for _, c := range chosen {
		sc := sweep.Check{Check: c.Check}
		sc.Timeout = c.Timeout // the runner adds the host's slack (runner.hostSlack)
		if c.Hosts != "" && c.Hosts != "all" {
			hosts, err := query.Select(ctx, e.Query, c.Hosts)
			if err != nil {
				return nil, configErr(fmt.Errorf("check %s: hosts %q: %w", c.Check.Name(), c.Hosts, err))
			}
			sc.Hosts = make(map[string]struct{}, len(hosts))
			for _, h := range hosts {
				sc.Hosts[h.Name] = struct{}{}
			}
		}
		out = append(out, sc)
	}
	return out, nil
}

// Owners loads and compiles the owners file; nils when none is configured.
func (e *Env) Owners(ctx context.Context) (*ownership.File, *ownership.Matcher, error) {
	var f *ownership.File
	var err error
	switch {
	case e.Config.OwnersNode != nil:
		f, err = ownership.ParseNode(e.Config.Path, e.Config.OwnersNode)
	case e.Config.Owners != "":
		f, err = ownership.Load(e.Config.Owners)
	default:
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, configErr(err)
	}
	m, err := f.Compile(ctx, e.Query)
	if err != nil {
		return nil, nil, configErr(err)
	}
	return f, m, nil
}

// Names are the names of kind for completion: "checks" (CheckNames) or
// "teams" (the owners file's); what cannot be loaded is none.
func (e *Env) Names(ctx context.Context, kind string) []string {
	if kind == "checks" {
		names, _ := e.CheckNames()
		return names
	}
	if f, _, err := e.Owners(ctx); err == nil && f != nil {
		return f.TeamNames()
	}
	return nil
}

// RequireOwners is Owners for a command that needs the owners file: none
// configured is a UsageError.
func (e *Env) RequireOwners(ctx context.Context) (*ownership.File, *ownership.Matcher, error) {
	f, m, err := e.Owners(ctx)
	if err == nil && f == nil {
		err = usagef("no owners file (--owners or owners: in the config)")
	}
	return f, m, err
}

// Conn are the connection settings of the command line; Set says which
// flags were given (for the others the configuration's default applies).
type Conn struct {
	Fanout                                 int
	Timeout, ConnectTimeout, GlobalTimeout time.Duration
	User                                   string
	AcceptNew                              bool
	Set                                    map[string]bool // by flag name: fanout, timeout, connect-timeout, global-timeout
}

// Validate refuses settings that cannot work, naming the flag and what it
// takes (a *UsageError). Timeouts not given on the command line are not
// checked: their defaults apply.
func (c Conn) Validate() error {
	switch {
	case c.Fanout < 1:
		return usagef("--fanout: expected a number of hosts ≥ 1, found %d", c.Fanout)
	case c.Timeout <= 0 && c.Set["timeout"]:
		return usagef("--timeout: expected a positive duration such as 30s, found %v", c.Timeout)
	case c.ConnectTimeout <= 0 && c.Set["connect-timeout"]:
		return usagef("--connect-timeout: expected a positive duration such as 10s, found %v", c.ConnectTimeout)
	case c.GlobalTimeout < 0:
		return usagef("--global-timeout: expected a duration ≥ 0 such as 10m (0: none), found %v", c.GlobalTimeout)
	}
	return nil
}

// RunnerConfig is the runner configuration of c, then the configuration's
// defaults, then the built-in ones.
func (e *Env) RunnerConfig(c Conn) runner.Config {
	d := e.Config.Defaults
	rc := runner.Config{
		Fanout: c.Fanout, HostTimeout: c.Timeout, ConnectTimeout: c.ConnectTimeout,
		SSHConfigPath: e.Config.SSHConfig, KnownHosts: e.Config.KnownHosts, UseAgent: true,
		DefaultUser: c.User, AcceptNew: c.AcceptNew,
	}
	if !c.Set["fanout"] && d.Fanout > 0 {
		rc.Fanout = d.Fanout
	}
	if !c.Set["timeout"] && d.Timeout > 0 {
		rc.HostTimeout = d.Timeout
	}
	if !c.Set["connect-timeout"] {
		// 0 lets the ssh config's ConnectTimeout apply, then the runner's 10s.
		rc.ConnectTimeout = d.ConnectTimeout
	}
	if rc.DefaultUser == "" {
		rc.DefaultUser = d.User
	}
	return rc
}

// GlobalTimeout is c's --global-timeout, else the configured default.
func (e *Env) GlobalTimeout(c Conn) time.Duration {
	if c.Set["global-timeout"] {
		return c.GlobalTimeout
	}
	return e.Config.Defaults.GlobalTimeout
}
