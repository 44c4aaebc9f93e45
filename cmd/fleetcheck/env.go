package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

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

// env is everything a command reads before it acts: configuration,
// inventory and the query environment.
type env struct {
	cfg   *config.Config
	inv   *inventory.Inventory
	query *query.Env
}

// loadEnv loads the configuration and inventory named by the flags.
// Missing inventory is allowed (D{} queries still work).
func loadEnv(c *cli.Context) (*env, error) {
	cfg, err := loadConfig(c) // merge.go
	if err != nil {
		return nil, err
	}
	if v := c.StringSlice("inventory"); len(v) > 0 {
		cfg.Inventory, cfg.InventoryNode = v, nil
	}
	if v := c.String("owners"); v != "" {
		cfg.Owners, cfg.OwnersNode = v, nil
	}
	if v := c.String("ssh-config"); v != "" {
		cfg.SSHConfig = v
	}
	if v := c.StringSlice("known-hosts"); len(v) > 0 {
		cfg.KnownHosts = v
	}
	inv, err := loadInventories(cfg)
	if err != nil {
		return nil, configError(err)
	}
	qenv := &query.Env{Inventory: inv, KnownHosts: cfg.KnownHosts}
	if cfg.PuppetDB.URL != "" {
		db, err := query.NewPuppetDBClient(query.PuppetDBOptions{
			URL: cfg.PuppetDB.URL, CAFile: cfg.PuppetDB.CA, CertFile: cfg.PuppetDB.Cert,
			KeyFile: cfg.PuppetDB.Key, Timeout: cfg.PuppetDB.Timeout,
		})
		if err != nil {
			return nil, configError(fmt.Errorf("puppetdb: %w", err))
		}
		qenv.PuppetDB = db
	}
	return &env{cfg: cfg, inv: inv, query: qenv}, nil
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

// selectHosts evaluates the query; a syntax error is a usage error (64),
// anything else (unknown alias, PuppetDB down) a configuration error (78).
func (e *env) selectHosts(ctx context.Context, q string) ([]inventory.Host, error) {
	hosts, err := query.Select(ctx, e.query, q)
	if err != nil {
		var pe *posfile.Error
		if errors.As(err, &pe) && pe.File == "query" {
			return nil, usageError("%v", err)
		}
		return nil, configError(err)
	}
	return hosts, nil
}

// configuredChecks builds the checks to run: the names given with -c (a
// configured name or a built-in type), else every configured check, else
// the built-in defaults. Each check's hosts: query is evaluated once.
func (e *env) configuredChecks(ctx context.Context, names []string) ([]sweep.Check, error) {
	reg := checks.Builtins()
	var configured []checks.Configured
	if e.cfg.Checks != nil {
		var err error
		configured, err = checks.LoadConfig(e.cfg.ChecksFile, e.cfg.Checks, reg)
		if err != nil {
			return nil, configError(err)
		}
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
				return nil, usageError("unknown check %q (see fleetcheck checks)", n)
			}
			ck, err := reg.New(n, n, checks.Params{})
			if err != nil {
				return nil, usageError("check %s needs parameters in the configuration: %v", n, err)
			}
			chosen = append(chosen, checks.Configured{Check: ck, Type: n})
		}
	case len(configured) > 0:
		chosen = configured
	default:
		for _, n := range reg.Defaults() {
			ck, err := reg.New(n, n, checks.Params{})
			if err != nil {
				return nil, fmt.Errorf("built-in check %s: %w", n, err)
			}
			chosen = append(chosen, checks.Configured{Check: ck, Type: n})
		}
	}
	out := make([]sweep.Check, 0, len(chosen))
	for _, c := range chosen {
		sc := sweep.Check{Check: c.Check}
		if c.Timeout > 0 {
			sc.Timeout = c.Timeout + commandGrace
		}
		if c.Hosts != "" && c.Hosts != "all" {
			hosts, err := query.Select(ctx, e.query, c.Hosts)
			if err != nil {
				return nil, configError(fmt.Errorf("check %s: hosts %q: %w", c.Check.Name(), c.Hosts, err))
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

// commandGrace is how much longer than a check's `timeout:` the runner
// waits for its command, so that a check whose tool enforces the same
// timeout (curl --max-time) reports its own verdict before the runner
// cuts it off as UNREACHABLE.
const commandGrace = time.Second

// owners loads and compiles the owners file; nil when none is configured.
func (e *env) owners(ctx context.Context) (*ownership.File, *ownership.Matcher, error) {
	var f *ownership.File
	var err error
	switch {
	case e.cfg.OwnersNode != nil:
		f, err = ownership.ParseNode(e.cfg.Path, e.cfg.OwnersNode)
	case e.cfg.Owners != "":
		f, err = ownership.Load(e.cfg.Owners)
	default:
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, configError(err)
	}
	m, err := f.Compile(ctx, e.query)
	if err != nil {
		return nil, nil, configError(err)
	}
	return f, m, nil
}

// runnerFlags are the connection flags of commands that connect.
func runnerFlags() []cli.Flag {
	return []cli.Flag{
		&cli.IntFlag{Name: "fanout", Value: 64, Usage: "hosts in parallel"},
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per host: connection and all its commands"},
		&cli.DurationFlag{Name: "connect-timeout", Value: 10 * time.Second, Usage: "TCP connect plus SSH handshake"},
		&cli.DurationFlag{Name: "global-timeout", Usage: "stop the whole run after this long and report what finished (0: none)"},
		&cli.StringFlag{Name: "user", Usage: "SSH user when neither the inventory nor the ssh config names one"},
		&cli.BoolFlag{Name: "accept-new", Usage: "record unknown host keys in the first writable known_hosts file (never a changed or revoked one), like StrictHostKeyChecking=accept-new"},
	}
}

// runnerConfig builds the runner configuration from flags, then config
// defaults, then built-in defaults.
func (e *env) runnerConfig(c *cli.Context) runner.Config {
	d := e.cfg.Defaults
	rc := runner.Config{
		Fanout:         c.Int("fanout"),
		HostTimeout:    c.Duration("timeout"),
		ConnectTimeout: c.Duration("connect-timeout"),
		SSHConfigPath:  e.cfg.SSHConfig,
		KnownHosts:     e.cfg.KnownHosts,
		UseAgent:       true,
		DefaultUser:    c.String("user"),
		AcceptNew:      c.Bool("accept-new"),
	}
	if !c.IsSet("fanout") && d.Fanout > 0 {
		rc.Fanout = d.Fanout
	}
	if !c.IsSet("timeout") && d.Timeout > 0 {
		rc.HostTimeout = d.Timeout
	}
	if !c.IsSet("connect-timeout") {
		// 0 lets the ssh config's ConnectTimeout apply, then the runner's 10s.
		rc.ConnectTimeout = d.ConnectTimeout
	}
	if rc.DefaultUser == "" {
		rc.DefaultUser = d.User
	}
	return rc
}

// globalTimeout is --global-timeout, else the configured default.
func (e *env) globalTimeout(c *cli.Context) time.Duration {
	if c.IsSet("global-timeout") {
		return c.Duration("global-timeout")
	}
	return e.cfg.Defaults.GlobalTimeout
}
