// Package config finds and loads fleetcheck's configuration file: which
// inventory, owners and checks files to use and the defaults of the
// command-line flags. Relative paths resolve against the file's directory.
package config

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// Config is a loaded configuration file. Zero values mean "not set".
type Config struct {
	Path      string   // the file it came from; "" when none was found
	Inventory []string // inventory files, resolved
	// InventoryNode is an inline native inventory (a mapping under
	// `inventory:`), decoded from Path; nil when files are named instead.
	InventoryNode *yaml.Node
	Owners        string     // owners file, resolved
	OwnersNode    *yaml.Node // an inline owners mapping under `owners:`, decoded from Path
	SSHConfig     string     // OpenSSH client config, resolved
	KnownHosts    []string   // known_hosts files, resolved
	Checks        *yaml.Node // the `checks:` mapping, inline or from ChecksFile
	ChecksFile    string     // file that Checks came from (this file when inline)
	PuppetDB      PuppetDB   // P{} backend
	State         string     // state store: an SQLite file, resolved (a postgres:// URL is kept as it is)
	Notify        Notify     // delivery of `digest --post`
	Defaults      Defaults   // defaults of sweep flags
	// Where is where each setting of a section was written, keyed as
	// errors name it ("notify: smtp: password_file"), for errors found
	// later (an unreadable secret).
	Where map[string]Pos
}

// Pos is a line and column in the file.
type Pos struct{ Line, Col int }

// Errorf is an error about setting key (as Where keys it), naming the
// file, line and column.
func (c *Config) Errorf(key, format string, args ...any) *posfile.Error {
	p := c.Where[key]
	return posfile.Errorf(c.Path, p.Line, p.Col, "%s: %s", key, fmt.Sprintf(format, args...))
}

// PuppetDB is where P{} queries go.
type PuppetDB struct {
	URL     string
	CA      string
	Cert    string
	Key     string
	Timeout time.Duration
}

// Notify is the `notify:` section: how `digest --post` delivers. It holds
// where secrets are, never the secrets.
type Notify struct {
	SMTP         SMTP
	Alertmanager Alertmanager
	Timeout      time.Duration // of one request; 0 means the default (10s)
}

// SMTP is the mail server digests go through.
type SMTP struct {
	Address      string // host:port
	From         string
	Username     string // "" for no authentication
	PasswordFile string // resolved; the password's file
	PasswordEnv  string // or the environment variable holding it
	TLS          string // starttls (the default, also when ""), tls or none
}

// Alertmanager is where open failures go as alerts.
type Alertmanager struct {
	URL            string
	ResendInterval time.Duration // 0 means the default (1h)
}

// Defaults are configured defaults of command-line flags.
type Defaults struct {
	Fanout         int
	Timeout        time.Duration
	ConnectTimeout time.Duration
	GlobalTimeout  time.Duration
	Output         string
	User           string
}

// Locate returns the configuration file to load: explicit, else
// $FLEETCHECK_CONFIG, else ./fleetcheck.yaml, else
// ~/.config/fleetcheck/config.yaml, else /etc/fleetcheck/config.yaml; ""
// when none exists. An explicit or environment path must exist.
func Locate(explicit string, getenv func(string) string, home string) (string, error) {
	for _, p := range []string{explicit, getenv("FLEETCHECK_CONFIG")} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("config %s: %w", p, err)
		}
		return p, nil
	}
	candidates := []string{"fleetcheck.yaml"}
	if home != "" {
		candidates = append(candidates, filepath.Join(home, ".config", "fleetcheck", "config.yaml"))
	}
	candidates = append(candidates, "/etc/fleetcheck/config.yaml")
	for _, p := range candidates {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", nil
}

// Load reads and validates a configuration file; problems are
// *posfile.Error naming file, line and column.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// topKeys are the settings a configuration file may hold.
var topKeys = []string{"inventory", "owners", "ssh_config", "known_hosts", "checks", "puppetdb", "defaults", "notify", "state"}

// Parse decodes configuration text read from path. YAML is read by
// yamlfile's rules (aliases, merge keys, no duplicate or unknown keys).
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path}
	r, root, err := yamlfile.Parse(path, data)
	if err != nil || root == nil {
		return c, err
	}
	pairs, err := settings(r, root)
	if err != nil {
		return nil, err
	}
	p := parser{r: r, dir: filepath.Dir(path), where: map[string]Pos{}}
	c.Where = p.where
	for _, kv := range pairs {
		k, v := kv.Key, kv.Value
		switch k.Value {
		case "inventory":
			if v.Kind == yaml.MappingNode {
				c.InventoryNode = v
			} else {
				c.Inventory = p.paths(k.Value, v)
			}
		case "owners":
			if v.Kind == yaml.MappingNode {
				c.OwnersNode = v
			} else {
				c.Owners = p.path(k.Value, v)
			}
		case "ssh_config":
			c.SSHConfig = p.sshConfig(k.Value, v)
		case "known_hosts":
			c.KnownHosts = p.paths(k.Value, v)
		case "checks":
			c.Checks, c.ChecksFile = p.checks(k.Value, v)
		case "puppetdb":
			c.PuppetDB = p.puppetDB(v)
		case "defaults":
			c.Defaults = p.defaults(v)
		case "notify":
			c.Notify = p.notify(v)
		case "state":
			if c.State = p.scalar(k.Value, v, "a state file"); !strings.Contains(c.State, "://") {
				c.State = p.path(k.Value, v)
			}
		default:
			p.err = r.UnknownKey(k, "the config", topKeys...)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return c, nil
}

// settings returns the entries of a file's top-level mapping.
func settings(r *yamlfile.Reader, root *yaml.Node) ([]yamlfile.Pair, error) {
	if root.Kind != yaml.MappingNode {
		return nil, r.Expected(root, "", "a mapping of settings")
	}
	return r.Map(root, "config")
}

// parser decodes settings, keeping the first error.
type parser struct {
	r     *yamlfile.Reader
	dir   string
	err   error
	where map[string]Pos // see Config.Where
}

// keep records err unless an earlier error is kept.
func (p *parser) keep(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *parser) resolve(s string) string {
	if strings.HasPrefix(s, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, s[2:])
		}
	}
	if filepath.IsAbs(s) {
		return s
	}
	return filepath.Join(p.dir, s)
}

// scalar reads the text of setting what, expected to be expected.
func (p *parser) scalar(what string, n *yaml.Node, expected string) string {
	s, err := p.r.Text(n, what, expected)
	p.keep(err)
	return s
}

func (p *parser) path(what string, n *yaml.Node) string {
	s := p.scalar(what, n, "a file path")
	if s == "" {
		return ""
	}
	return p.resolve(s)
}

// sshConfig reads the OpenSSH client config path; "none" (ignore every
// client config, as the --ssh-config flag takes it) is not a file name.
func (p *parser) sshConfig(what string, n *yaml.Node) string {
	s := p.scalar(what, n, "a file path or none")
	if s == "" || s == "none" {
		return s
	}
	return p.resolve(s)
}

func (p *parser) paths(what string, n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode {
		if s := p.path(what, n); s != "" {
			return []string{s}
		}
		return nil
	}
	items, err := p.r.Seq(n, what, "a list of file paths")
	p.keep(err)
	var out []string
	for _, e := range items {
		if s := p.path(what, e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) duration(what string, n *yaml.Node) time.Duration {
	s := p.scalar(what, n, "a duration such as 30s")
	if s == "" {
		return 0
	}
	d, err := duration.Parse(s)
	if err != nil {
		p.keep(p.r.Errorf(n, "%s: %v", what, err))
	}
	return d
}

// checks accepts the checks mapping inline or the path of a file holding
// one (itself either the mapping or a document with a `checks:` key).
func (p *parser) checks(what string, n *yaml.Node) (*yaml.Node, string) {
	if n.Kind == yaml.MappingNode {
		return n, p.r.Path()
	}
	path := p.path(what, n)
	if path == "" {
		return nil, ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		p.keep(p.r.Errorf(n, "checks file: %v", err))
		return nil, ""
	}
	r, root, err := yamlfile.Parse(path, data)
	if err != nil {
		p.keep(err)
		return nil, ""
	}
	if root == nil {
		return nil, path
	}
	if root.Kind != yaml.MappingNode {
		p.keep(r.Expected(root, "", "a mapping of checks"))
		return nil, ""
	}
	if len(root.Content) == 2 && root.Content[0].Value == "checks" {
		return yamlfile.Resolve(root.Content[1]), path
	}
	return root, path
}

func (p *parser) puppetDB(n *yaml.Node) PuppetDB {
	var db PuppetDB
	p.mapping(n, "puppetdb", map[string]func(string, *yaml.Node){
		"url":     func(k string, v *yaml.Node) { db.URL = p.scalar(k, v, "a URL") },
		"ca":      func(k string, v *yaml.Node) { db.CA = p.path(k, v) },
		"cert":    func(k string, v *yaml.Node) { db.Cert = p.path(k, v) },
		"key":     func(k string, v *yaml.Node) { db.Key = p.path(k, v) },
		"timeout": func(k string, v *yaml.Node) { db.Timeout = p.duration(k, v) },
	})
	return db
}

func (p *parser) notify(n *yaml.Node) Notify {
	var nf Notify
	p.mapping(n, "notify", map[string]func(string, *yaml.Node){
		"smtp":         func(_ string, v *yaml.Node) { nf.SMTP = p.smtp(v) },
		"alertmanager": func(_ string, v *yaml.Node) { nf.Alertmanager = p.alertmanager(v) },
		"timeout":      func(k string, v *yaml.Node) { nf.Timeout = p.duration(k, v) },
	})
	return nf
}

func (p *parser) smtp(n *yaml.Node) SMTP {
	var s SMTP
	p.mapping(n, "notify: smtp", map[string]func(string, *yaml.Node){
		"address":       func(k string, v *yaml.Node) { s.Address = p.hostPort(k, v) },
		"from":          func(k string, v *yaml.Node) { s.From = p.scalar(k, v, "a mail address") },
		"username":      func(k string, v *yaml.Node) { s.Username = p.scalar(k, v, "a user name") },
		"password_file": func(k string, v *yaml.Node) { s.PasswordFile = p.path(k, v) },
		"password_env":  func(k string, v *yaml.Node) { s.PasswordEnv = p.scalar(k, v, "an environment variable name") },
		"tls": func(k string, v *yaml.Node) {
			s.TLS = p.scalar(k, v, "starttls, tls or none")
			if p.err == nil && s.TLS != "starttls" && s.TLS != "tls" && s.TLS != "none" {
				p.keep(p.r.Expected(v, k, "starttls, tls or none"))
			}
		},
	})
	if p.err == nil && s.PasswordFile != "" && s.PasswordEnv != "" {
		p.keep(p.r.Errorf(yamlfile.Resolve(n), "notify: smtp: password_file and password_env both set: expected one"))
	}
	return s
}

// hostPort reads a host:port setting.
func (p *parser) hostPort(what string, n *yaml.Node) string {
	s := p.scalar(what, n, "host:port")
	if p.err == nil && s != "" {
		if host, port, err := net.SplitHostPort(s); err != nil || host == "" || port == "" {
			p.keep(p.r.Expected(n, what, "host:port, such as smtp.example.org:587"))
		}
	}
	return s
}

func (p *parser) alertmanager(n *yaml.Node) Alertmanager {
	var a Alertmanager
	p.mapping(n, "notify: alertmanager", map[string]func(string, *yaml.Node){
		"url":             func(k string, v *yaml.Node) { a.URL = p.scalar(k, v, "a URL") },
		"resend_interval": func(k string, v *yaml.Node) { a.ResendInterval = p.duration(k, v) },
	})
	return a
}

func (p *parser) defaults(n *yaml.Node) Defaults {
	var d Defaults
	p.mapping(n, "defaults", map[string]func(string, *yaml.Node){
		"fanout": func(k string, v *yaml.Node) {
			f, err := p.r.Int(v, k, "a whole number ≥ 1")
			if err == nil && f < 1 {
				err = p.r.Expected(v, k, "a whole number ≥ 1")
			}
			p.keep(err)
			d.Fanout = f
		},
		"timeout":         func(k string, v *yaml.Node) { d.Timeout = p.duration(k, v) },
		"connect_timeout": func(k string, v *yaml.Node) { d.ConnectTimeout = p.duration(k, v) },
		"global_timeout":  func(k string, v *yaml.Node) { d.GlobalTimeout = p.duration(k, v) },
		"output":          func(k string, v *yaml.Node) { d.Output = p.scalar(k, v, "an output format") },
		"user":            func(k string, v *yaml.Node) { d.User = p.scalar(k, v, "a user name") },
	})
	return d
}

// mapping calls the handler of each key of n, failing on unknown keys.
func (p *parser) mapping(n *yaml.Node, what string, handlers map[string]func(string, *yaml.Node)) {
	pairs, err := p.r.Map(n, what)
	if err != nil {
		p.keep(err)
		return
	}
	known := slices.Sorted(maps.Keys(handlers))
	if err := p.r.Known(pairs, what, known...); err != nil {
		p.keep(err)
		return
	}
	for _, kv := range pairs {
		p.where[what+": "+kv.Key.Value] = Pos{Line: kv.Key.Line, Col: kv.Key.Column}
		handlers[kv.Key.Value](kv.Key.Value, kv.Value)
	}
}
