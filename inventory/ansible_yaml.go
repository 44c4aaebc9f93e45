package inventory

import (
	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// LoadAnsibleYAML parses an Ansible YAML inventory: top-level groups
// (usually just `all:`), each a mapping of `hosts:`, `vars:` and
// `children:`. Host keys may use Ansible ranges ("web[01:10].example.org")
// and a ":port" suffix. See the comment on ansibleModel for how groups and
// variables become Host fields, labels and Groups.
func LoadAnsibleYAML(path string, data []byte) (*Inventory, error) {
	return loadAnsibleYAML(path, data, nodeset.MaxNames)
}

// loadAnsibleYAML is LoadAnsibleYAML with a bound on the hosts one
// pattern expands to.
func loadAnsibleYAML(path string, data []byte, limit int) (*Inventory, error) {
	f, root, err := parseYAML(path, data, limit)
	if err != nil {
		return nil, err
	}
	f.seenBodies = map[bodyUse]bool{}
	if root == nil {
		return nil, &posfile.Error{File: path, Msg: "inventory is empty; expected an Ansible mapping such as 'all: {hosts: ...}'"}
	}
	top, err := f.Map(root, "inventory")
	if err != nil {
		return nil, err
	}
	m := newAnsibleModel(path)
	for _, kv := range top {
		name := kv.Key.Value
		if name != "all" {
			m.addChild("all", name)
		}
		if err := f.ansibleGroup(m, name, kv.Key, kv.Value); err != nil {
			return nil, err
		}
	}
	return m.build()
}

// ansibleGroup reads the body of group name (which may be null).
func (f yamlFile) ansibleGroup(m *ansibleModel, name string, keyNode, body *yaml.Node) error {
	if err := checkGroupName(name); err != nil {
		return f.Errorf(keyNode, "group %q: %v", name, err)
	}
	g := m.group(name)
	body = yamlfile.Resolve(body)
	// A body reached again through a YAML alias adds nothing new; skipping
	// it keeps alias chains from costing exponential time.
	seen := bodyUse{body, name}
	if f.seenBodies[seen] {
		return nil
	}
	f.seenBodies[seen] = true
	if yamlfile.IsNull(body) {
		return nil
	}
	kvs, err := f.Map(body, "group "+name)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		v := yamlfile.Resolve(kv.Value)
		if yamlfile.IsNull(v) {
			continue
		}
		switch kv.Key.Value {
		case "hosts":
			err = f.ansibleHosts(m, name, v)
		case "vars":
			g.vars, err = f.ansibleVars(v, "vars of group "+name, g.vars)
		case "children":
			err = f.ansibleChildren(m, name, v)
		default:
			err = f.UnknownKey(kv.Key, "group "+name, "hosts", "vars", "children")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ansibleHosts reads a group's `hosts:` mapping of pattern to variables.
func (f yamlFile) ansibleHosts(m *ansibleModel, group string, n *yaml.Node) error {
	kvs, err := f.Map(n, "hosts of group "+group)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		names, port, off, err := ansibleHostPattern(kv.Key.Value, f.limit)
		if err != nil {
			col := kv.Key.Column + off
			if kv.Key.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
				col++
			}
			return posfile.Errorf(f.Path(), kv.Key.Line, col, "host %q: %v", kv.Key.Value, err)
		}
		for _, name := range names {
			if err := checkHostName(name); err != nil {
				return f.Errorf(kv.Key, "host %q: %v", kv.Key.Value, err)
			}
		}
		var vars []ansVar
		if v := yamlfile.Resolve(kv.Value); !yamlfile.IsNull(v) {
			if vars, err = f.ansibleVars(v, "vars of host "+kv.Key.Value, nil); err != nil {
				return err
			}
		}
		for _, name := range names {
			h := m.addHost(name, group, kv.Key.Line, kv.Key.Column, port)
			h.vars = append(h.vars, vars...)
		}
	}
	return nil
}

// ansibleVars appends the variables of a `vars:` (or host) mapping to acc.
func (f yamlFile) ansibleVars(n *yaml.Node, what string, acc []ansVar) ([]ansVar, error) {
	kvs, err := f.Map(n, what)
	if err != nil {
		return nil, err
	}
	for _, kv := range kvs {
		v := yamlfile.Resolve(kv.Value)
		scalar := v.Kind == yaml.ScalarNode && !yamlfile.IsNull(v)
		acc = append(acc, ansVar{key: kv.Key.Value, value: v.Value, scalar: scalar, line: v.Line, col: v.Column})
	}
	return acc, nil
}

// ansibleChildren reads a group's `children:` mapping of child groups.
func (f yamlFile) ansibleChildren(m *ansibleModel, parent string, n *yaml.Node) error {
	kvs, err := f.Map(n, "children of group "+parent)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		if kv.Key.Value == "all" {
			return f.Errorf(kv.Key, "group %q cannot be a child of %q", "all", parent)
		}
		m.addChild(parent, kv.Key.Value)
		if err := f.ansibleGroup(m, kv.Key.Value, kv.Key, kv.Value); err != nil {
			return err
		}
	}
	return nil
}

// bodyUse is one group body read as one group name.
type bodyUse struct {
	body *yaml.Node
	name string
}

// checkGroupName rejects group names that a query could not name.
func checkGroupName(name string) error {
	if name == "" {
		return errEmptyGroup
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == ':' || c == '=' || c == ',' {
			return errBadGroupChar(c)
		}
	}
	return nil
}
