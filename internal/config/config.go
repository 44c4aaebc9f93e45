// Package config finds and loads fleetcheck's configuration file: which
// inventory, owners and checks files to use and the defaults of the
// command-line flags. Relative paths resolve against the file's directory.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
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
	Defaults      Defaults   // defaults of sweep flags
}

// PuppetDB is where P{} queries go.
type PuppetDB struct {
	URL     string
	CA      string
	Cert    string
	Key     string
	Timeout time.Duration
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

// Parse decodes configuration text read from path.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path}
	root, err := decodeRoot(path, data)
	if err != nil || root == nil {
		return c, err
	}
	dir := filepath.Dir(path)
	p := parser{file: path, dir: dir}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "inventory":
			if v.Kind == yaml.MappingNode {
				c.InventoryNode = v
			} else {
				c.Inventory = p.paths(v)
			}
		case "owners":
			if v.Kind == yaml.MappingNode {
				c.OwnersNode = v
			} else {
				c.Owners = p.path(v)
			}
		case "ssh_config":
			c.SSHConfig = p.sshConfig(v)
		case "known_hosts":
			c.KnownHosts = p.paths(v)
		case "checks":
			c.Checks, c.ChecksFile = p.checks(v)
		case "puppetdb":
			c.PuppetDB = p.puppetDB(v)
		case "defaults":
			c.Defaults = p.defaults(v)
		default:
			p.fail(k, "unknown key %q (expected inventory, owners, ssh_config, known_hosts, checks, puppetdb or defaults)", k.Value)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return c, nil
}

// decodeRoot parses YAML and returns its top-level mapping (nil for an
// empty document).
func decodeRoot(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(file, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, posfile.Errorf(file, root.Line, root.Column, "expected a mapping of settings, found %s", kindName(root))
	}
	return root, nil
}

// yamlError turns a YAML syntax error ("yaml: line 3: ...") into a
// positioned error.
func yamlError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
	}
	return &posfile.Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// parser decodes settings, keeping the first error.
type parser struct {
	file, dir string
	err       error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	if p.err == nil {
		p.err = posfile.Errorf(p.file, n.Line, n.Column, format, args...)
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

func (p *parser) scalar(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.fail(n, "expected %s, found %s", what, kindName(n))
		return ""
	}
	return n.Value
}

func (p *parser) path(n *yaml.Node) string {
	s := p.scalar(n, "a file path")
	if s == "" {
		return ""
	}
	return p.resolve(s)
}

// sshConfig reads the OpenSSH client config path; "none" (ignore every
// client config, as the --ssh-config flag takes it) is not a file name.
func (p *parser) sshConfig(n *yaml.Node) string {
	s := p.scalar(n, "a file path or none")
	if s == "" || s == "none" {
		return s
	}
	return p.resolve(s)
}

func (p *parser) paths(n *yaml.Node) []string {
	if n.Kind != yaml.SequenceNode {
		if s := p.path(n); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if s := p.path(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) duration(n *yaml.Node) time.Duration {
	s := p.scalar(n, "a duration such as 30s")
	if s == "" {
		return 0
	}
	d, err := duration.Parse(s)
	if err != nil {
		p.fail(n, "%v", err)
	}
	return d
}

// checks accepts the checks mapping inline or the path of a file holding
// one (itself either the mapping or a document with a `checks:` key).
func (p *parser) checks(n *yaml.Node) (*yaml.Node, string) {
	if n.Kind == yaml.MappingNode {
		return n, p.file
	}
	path := p.path(n)
	if path == "" {
		return nil, ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		p.fail(n, "checks file: %v", err)
		return nil, ""
	}
	root, err := decodeRoot(path, data)
	if err != nil {
		p.err = err
		return nil, ""
	}
	if root == nil {
		return nil, path
	}
	if len(root.Content) == 2 && root.Content[0].Value == "checks" {
		return root.Content[1], path
	}
	return root, path
}

func (p *parser) puppetDB(n *yaml.Node) PuppetDB {
	var db PuppetDB
	p.mapping(n, map[string]func(*yaml.Node){
		"url":     func(v *yaml.Node) { db.URL = p.scalar(v, "a URL") },
		"ca":      func(v *yaml.Node) { db.CA = p.path(v) },
		"cert":    func(v *yaml.Node) { db.Cert = p.path(v) },
		"key":     func(v *yaml.Node) { db.Key = p.path(v) },
		"timeout": func(v *yaml.Node) { db.Timeout = p.duration(v) },
	})
	return db
}

func (p *parser) defaults(n *yaml.Node) Defaults {
	var d Defaults
	p.mapping(n, map[string]func(*yaml.Node){
		"fanout": func(v *yaml.Node) {
			if err := v.Decode(&d.Fanout); err != nil || d.Fanout < 1 {
				p.fail(v, "fanout: expected a whole number ≥ 1, found %s", kindName(v))
			}
		},
		"timeout":         func(v *yaml.Node) { d.Timeout = p.duration(v) },
		"connect_timeout": func(v *yaml.Node) { d.ConnectTimeout = p.duration(v) },
		"global_timeout":  func(v *yaml.Node) { d.GlobalTimeout = p.duration(v) },
		"output":          func(v *yaml.Node) { d.Output = p.scalar(v, "an output format") },
		"user":            func(v *yaml.Node) { d.User = p.scalar(v, "a user name") },
	})
	return d
}

// mapping calls the handler of each key of n, failing on unknown keys.
func (p *parser) mapping(n *yaml.Node, handlers map[string]func(*yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.fail(n, "expected a mapping, found %s", kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		if !ok {
			known := make([]string, 0, len(handlers))
			for name := range handlers {
				known = append(known, name)
			}
			p.fail(k, "unknown key %q (expected one of %s)", k.Value, strings.Join(slices.Sorted(slices.Values(known)), ", "))
			return
		}
		h(v)
	}
}
