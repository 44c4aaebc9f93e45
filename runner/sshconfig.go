package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/kevinburke/ssh_config"
)

// endpoint is one SSH server to reach: a target or a ProxyJump hop, with
// every setting resolved from the inventory, ssh_config and the defaults.
type endpoint struct {
	alias          string   // name matched against ssh_config Host patterns
	host           string   // name or address dialed
	port           int      // port dialed
	user           string   // login user
	identityFiles  []string // key files, host's first, ~ expanded
	knownHosts     []string // known_hosts files to check against
	strict         bool     // unknown host keys are refused
	acceptNew      bool     // unknown host keys are recorded (StrictHostKeyChecking accept-new)
	connectTimeout time.Duration
}

// addr is host:port as dialed, and the name known_hosts is checked under.
func (e *endpoint) addr() string {
	return netJoin(e.host, e.port)
}

func netJoin(host string, port int) string {
	if strings.IndexByte(host, ':') >= 0 {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// sshConfig is a parsed OpenSSH client config, nil-safe: a nil *sshConfig
// answers "" for every key.
type sshConfig struct {
	cfg  *ssh_config.Config
	path string
}

// loadSSHConfig decodes path; "none" disables, "" means ~/.ssh/config when
// it exists. The library's implicit user and system files are never read.
func loadSSHConfig(path, home string) (*sshConfig, error) {
	if path == "none" {
		return nil, nil
	}
	explicit := path != ""
	if !explicit {
		if home == "" {
			return nil, nil
		}
		path = filepath.Join(home, ".ssh", "config")
	}
	f, err := os.Open(path)
	if err != nil {
		if !explicit && os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("ssh config: %w", err)
	}
	defer f.Close()
	cfg, err := ssh_config.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("ssh config %s: %w", path, err)
	}
	return &sshConfig{cfg: cfg, path: path}, nil
}

// hostSettings are the ssh_config values that apply to one alias: the
// first value of each key in file order, every IdentityFile.
type hostSettings struct {
	hostName, port, user, knownHosts, strict, connectTimeout, proxyJump string
	identityFiles                                                       []string
}

// settingKeys are the keywords hostSettings holds, other than IdentityFile.
var settingKeys = [...]string{"HostName", "Port", "User", "UserKnownHostsFile", "StrictHostKeyChecking", "ConnectTimeout", "ProxyJump"}

// field returns where the value of settingKeys[i] goes.
func (s *hostSettings) field(i int) *string {
	switch i {
	case 0:
		return &s.hostName
	case 1:
		return &s.port
	case 2:
		return &s.user
	case 3:
		return &s.knownHosts
	case 4:
		return &s.strict
	case 5:
		return &s.connectTimeout
	default:
		return &s.proxyJump
	}
}

// settings looks alias up in one pass over the Host blocks (each block's
// patterns are matched once), with the semantics of ssh_config.Config.Get
// and GetAll: first value wins, includes searched in place.
func (c *sshConfig) settings(alias string) hostSettings {
	var s hostSettings
	if c == nil {
		return s
	}
	for _, host := range c.cfg.Hosts {
		if !host.Matches(alias) {
			continue
		}
		for _, node := range host.Nodes {
			switch n := node.(type) {
			case *ssh_config.KV:
				if strings.EqualFold(n.Key, "IdentityFile") {
					s.identityFiles = append(s.identityFiles, strings.TrimSpace(n.Value))
					continue
				}
				for i, key := range settingKeys {
					if f := s.field(i); *f == "" && strings.EqualFold(n.Key, key) {
						*f = strings.TrimSpace(n.Value)
						break
					}
				}
			case *ssh_config.Include:
				for i, key := range settingKeys {
					if f := s.field(i); *f == "" {
						*f = strings.TrimSpace(n.Get(alias, key))
					}
				}
				files, _ := n.GetAll(alias, "IdentityFile")
				s.identityFiles = append(s.identityFiles, files...)
			}
		}
	}
	return s
}

// resolver turns inventory hosts and jump specs into endpoints.
type resolver struct {
	ssh            *sshConfig
	home           string
	defaultUser    string        // Config.DefaultUser, else the local user
	localUser      string        // the user running fleetcheck (%u)
	connectTimeout time.Duration // Config.ConnectTimeout; 0 defers to ssh_config
	knownHosts     []string      // Config.KnownHosts; none defers to ssh_config
}

// resolveHost resolves an inventory host: its own fields, then ssh_config
// for its name, then port 22 and the default user. It also returns the
// ProxyJump hops ("" or "none": direct).
func (r *resolver) resolveHost(h inventory.Host) (endpoint, []string, error) {
	set := r.ssh.settings(h.Name)
	ep, err := r.resolve(&set, h.Name, h.Address, h.Port, h.User, h.IdentityFile)
	if err != nil {
		return ep, nil, err
	}
	jump := set.proxyJump
	if jump == "" || strings.EqualFold(jump, "none") {
		return ep, nil, nil
	}
	var hops []string
	for _, hop := range strings.Split(jump, ",") {
		if hop = strings.TrimSpace(hop); hop != "" {
			hops = append(hops, hop)
		}
	}
	return ep, hops, nil
}

// resolveJump resolves one ProxyJump hop "[user@]host[:port]", itself
// looked up in ssh_config under host (its own ProxyJump is not followed).
func (r *resolver) resolveJump(spec string) (endpoint, error) {
	user, hostport := "", spec
	if i := strings.LastIndexByte(spec, '@'); i >= 0 {
		user, hostport = spec[:i], spec[i+1:]
	}
	host, port := hostport, 0
	if strings.HasPrefix(hostport, "[") {
		if end := strings.IndexByte(hostport, ']'); end > 0 {
			host = hostport[1:end]
			if rest := hostport[end+1:]; strings.HasPrefix(rest, ":") {
				p, err := strconv.Atoi(rest[1:])
				if err != nil {
					return endpoint{}, fmt.Errorf("ProxyJump %q: bad port", spec)
				}
				port = p
			}
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 && strings.Count(hostport, ":") == 1 {
		p, err := strconv.Atoi(hostport[i+1:])
		if err != nil {
			return endpoint{}, fmt.Errorf("ProxyJump %q: bad port", spec)
		}
		host, port = hostport[:i], p
	}
	if host == "" {
		return endpoint{}, fmt.Errorf("ProxyJump %q: no host", spec)
	}
	set := r.ssh.settings(host)
	return r.resolve(&set, host, "", port, user, "")
}

// resolve applies the precedence: explicit values, then ssh_config for
// alias, then the defaults.
func (r *resolver) resolve(set *hostSettings, alias, address string, port int, user, identity string) (endpoint, error) {
	ep := endpoint{alias: alias, host: address, port: port, user: user}
	if ep.host == "" {
		ep.host = set.hostName
		if ep.host != "" {
			ep.host = strings.ReplaceAll(ep.host, "%h", alias)
		}
	}
	if ep.host == "" {
		ep.host = alias
	}
	if ep.port == 0 {
		if p := set.port; p != "" {
			n, err := strconv.Atoi(p)
			if err != nil || n <= 0 || n > 65535 {
				return ep, fmt.Errorf("ssh config %s: Port %q for %s: not a port", r.ssh.path, p, alias)
			}
			ep.port = n
		}
	}
	if ep.port == 0 {
		ep.port = 22
	}
	if ep.user == "" {
		ep.user = set.user
	}
	if ep.user == "" {
		ep.user = r.defaultUser
	}
	if identity != "" {
		ep.identityFiles = append(ep.identityFiles, r.expand(identity, &ep))
	}
	for _, f := range set.identityFiles {
		if f != "" && !strings.EqualFold(f, "none") {
			ep.identityFiles = append(ep.identityFiles, r.expand(f, &ep))
		}
	}
	ep.knownHosts = r.knownHosts
	if len(ep.knownHosts) == 0 {
		for _, f := range strings.Fields(set.knownHosts) {
			if !strings.EqualFold(f, "none") {
				ep.knownHosts = append(ep.knownHosts, r.expand(f, &ep))
			}
		}
	}
	if len(ep.knownHosts) == 0 && r.home != "" {
		ep.knownHosts = []string{filepath.Join(r.home, ".ssh", "known_hosts")}
	}
	ep.strict = strictHostKeys(set.strict)
	ep.acceptNew = strings.EqualFold(set.strict, "accept-new")
	ep.connectTimeout = r.connectTimeout
	if ep.connectTimeout == 0 {
		if s := set.connectTimeout; s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return ep, fmt.Errorf("ssh config %s: ConnectTimeout %q for %s: not a number of seconds", r.ssh.path, s, alias)
			}
			ep.connectTimeout = time.Duration(n) * time.Second
		}
	}
	if ep.connectTimeout == 0 {
		ep.connectTimeout = defaultConnectTimeout
	}
	return ep, nil
}

// strictHostKeys reads StrictHostKeyChecking: yes, ask and unset refuse
// unknown keys; accept-new, no and off accept them (never a changed key).
func strictHostKeys(v string) bool {
	switch strings.ToLower(v) {
	case "accept-new", "no", "off":
		return false
	}
	return true
}

// expand resolves ~ and the %d %h %u %r %p %% tokens of a path.
func (r *resolver) expand(path string, ep *endpoint) string {
	if path == "~" {
		return r.home
	}
	if strings.HasPrefix(path, "~/") {
		path = filepath.Join(r.home, path[2:])
	}
	if strings.IndexByte(path, '%') < 0 {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] != '%' || i+1 == len(path) {
			b.WriteByte(path[i])
			continue
		}
		i++
		switch path[i] {
		case 'd':
			b.WriteString(r.home)
		case 'h':
			b.WriteString(ep.host)
		case 'n':
			b.WriteString(ep.alias)
		case 'r':
			b.WriteString(ep.user)
		case 'u':
			b.WriteString(r.localUser)
		case 'p':
			b.WriteString(strconv.Itoa(ep.port))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(path[i])
		}
	}
	return b.String()
}
