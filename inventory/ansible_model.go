package inventory

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// Ansible inventories become hosts as follows (both YAML and INI):
//   - every group holding a host, directly or through `children`, and the
//     implicit "all" (and "ungrouped" for hosts in no other group) are in
//     Host.Groups, so that HasLabel("group", NAME) and the query group=NAME
//     select them;
//   - ansible_host (or ansible_ssh_host), ansible_port (ansible_ssh_port),
//     ansible_user (ansible_ssh_user) and ansible_ssh_private_key_file
//     (ansible_private_key_file) set Address, Port, User and IdentityFile;
//     other ansible_* variables are ignored;
//   - every other scalar variable becomes a label, group variables
//     included: "all" first, then groups by depth (parents before
//     children, ties by name), then the host's own variables, later
//     values winning as in Ansible. Lists and mappings are ignored.
//   - Host.Source is file:line of the host's first mention.

// errEmptyGroup rejects a group without a name.
var errEmptyGroup = errors.New("empty group name")

// errBadGroupChar rejects a character no group name may hold.
func errBadGroupChar(c byte) error {
	return fmt.Errorf("unexpected character %q in a group name", c)
}

// ansVar is one variable with where it was set.
type ansVar struct {
	key, value string
	scalar     bool
	line, col  int
}

// ansGroup is one Ansible group as read.
type ansGroup struct {
	name    string
	parents []string
	vars    []ansVar
}

// ansHost is one host as read.
type ansHost struct {
	name      string
	line, col int
	port      int // from a "host:port" pattern; 0 if none
	groups    []string
	vars      []ansVar
}

// ansibleModel collects groups and hosts before they become Hosts.
type ansibleModel struct {
	path      string
	groups    map[string]*ansGroup
	hosts     map[string]*ansHost
	hostOrder []string
}

func newAnsibleModel(path string) *ansibleModel {
	m := &ansibleModel{path: path, groups: map[string]*ansGroup{}, hosts: map[string]*ansHost{}}
	m.addChild("all", "ungrouped")
	return m
}

// group returns the named group, creating it.
func (m *ansibleModel) group(name string) *ansGroup {
	g := m.groups[name]
	if g == nil {
		g = &ansGroup{name: name}
		m.groups[name] = g
	}
	return g
}

// addChild records that child is a child group of parent.
func (m *ansibleModel) addChild(parent, child string) {
	m.group(parent)
	c := m.group(child)
	if !slices.Contains(c.parents, parent) {
		c.parents = append(c.parents, parent)
	}
}

// addHost records that host name is in group, defined at line:col.
func (m *ansibleModel) addHost(name, group string, line, col, port int) *ansHost {
	h := m.hosts[name]
	if h == nil {
		h = &ansHost{name: name, line: line, col: col}
		m.hosts[name] = h
		m.hostOrder = append(m.hostOrder, name)
	}
	if port != 0 {
		h.port = port
	}
	m.group(group)
	if !slices.Contains(h.groups, group) {
		h.groups = append(h.groups, group)
	}
	return h
}

// build resolves groups and variables into an Inventory.
func (m *ansibleModel) build() (*Inventory, error) {
	depth, err := m.depths()
	if err != nil {
		return nil, err
	}
	hosts := make([]Host, 0, len(m.hostOrder))
	for _, name := range m.hostOrder {
		h, err := m.buildHost(m.hosts[name], depth)
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	return New(hosts, nil)
}

// depths computes each group's distance from "all" (the longest path
// through parents), rejecting cycles.
func (m *ansibleModel) depths() (map[string]int, error) {
	depth := map[string]int{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		switch state[name] {
		case 1:
			return &posfile.Error{File: m.path, Msg: fmt.Sprintf("group cycle: %s", strings.Join(append(chain, name), " -> "))}
		case 2:
			return nil
		}
		state[name] = 1
		d := 0
		if name != "all" {
			d = 1
		}
		for _, p := range m.groups[name].parents {
			if err := visit(p, append(chain, name)); err != nil {
				return err
			}
			d = max(d, depth[p]+1)
		}
		depth[name] = d
		state[name] = 2
		return nil
	}
	names := make([]string, 0, len(m.groups))
	for n := range m.groups {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return depth, nil
}

// buildHost turns one host into a Host with its groups and variables.
func (m *ansibleModel) buildHost(ah *ansHost, depth map[string]int) (Host, error) {
	in := map[string]bool{"all": true}
	var walk func(string)
	walk = func(g string) {
		if in[g] {
			return
		}
		in[g] = true
		for _, p := range m.groups[g].parents {
			walk(p)
		}
	}
	for _, g := range ah.groups {
		walk(g)
	}
	if len(in) == 1 || len(in) == 2 && in["ungrouped"] {
		in["ungrouped"] = true
	}
	groups := make([]string, 0, len(in))
	for g := range in {
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b string) int {
		if d := depth[a] - depth[b]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	h := Host{Name: ah.name, Port: ah.port, Source: fmt.Sprintf("%s:%d", m.path, ah.line)}
	var vars []ansVar
	for _, g := range groups {
		vars = append(vars, m.groups[g].vars...)
	}
	vars = append(vars, ah.vars...)
	for _, v := range vars {
		if err := m.applyVar(&h, v); err != nil {
			return Host{}, err
		}
	}
	slices.Sort(groups)
	h.Groups = groups
	return h, nil
}

// applyVar sets a connection field or a label from one variable.
func (m *ansibleModel) applyVar(h *Host, v ansVar) error {
	switch v.key {
	case "ansible_host", "ansible_ssh_host":
		h.Address = v.value
	case "ansible_user", "ansible_ssh_user":
		h.User = v.value
	case "ansible_ssh_private_key_file", "ansible_private_key_file":
		h.IdentityFile = v.value
	case "ansible_port", "ansible_ssh_port":
		p, err := strconv.Atoi(v.value)
		if err != nil || p < 1 || p > 65535 {
			return posfile.Errorf(m.path, v.line, v.col, "%s: expected a port from 1 to 65535, found %q", v.key, v.value)
		}
		h.Port = p
	default:
		if strings.HasPrefix(v.key, "ansible_") || !v.scalar {
			return nil
		}
		if err := checkLabelKey(v.key); err != nil {
			return posfile.Errorf(m.path, v.line, v.col, "variable %q cannot be a label: %v", v.key, err)
		}
		if h.Labels == nil {
			h.Labels = map[string]string{}
		}
		h.Labels[v.key] = v.value
	}
	return nil
}
