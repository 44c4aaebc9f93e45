package inventory

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// connDefaults are the connection settings of a native inventory's
// `defaults:` that hosts inherit unless they set their own.
type connDefaults struct {
	user         string
	port         int
	identityFile string
}

// hostPos remembers where a host name was defined, for duplicate errors.
type hostPos struct{ line, col int }

// LoadNative parses a native YAML inventory (top-level `defaults`, `hosts`,
// `aliases`). path names the file in errors and in Host.Source; every
// problem is a *posfile.Error with line and column.
func LoadNative(path string, data []byte) (*Inventory, error) {
	return loadNative(path, data, nodeset.MaxNames)
}

// loadNative is LoadNative with a bound on the hosts one name expands to.
func loadNative(path string, data []byte, limit int) (*Inventory, error) {
	f, root, err := parseYAML(path, data, limit)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, &posfile.Error{File: path, Msg: "inventory is empty; expected a mapping with a 'hosts:' list"}
	}
	return f.native(root)
}

// LoadNativeNode reads a native inventory given as a YAML mapping inside
// another file (the config's inline `inventory:`); positions in errors are
// those of path, the file the node was decoded from.
func LoadNativeNode(path string, root *yaml.Node) (*Inventory, error) {
	return yamlFile{Reader: yamlfile.New(path, root), limit: nodeset.MaxNames}.native(yamlfile.Resolve(root))
}

// native reads the inventory mapping root.
func (f yamlFile) native(root *yaml.Node) (*Inventory, error) {
	top, err := f.Map(root, "inventory")
	if err != nil {
		return nil, err
	}
	var defs connDefaults
	var hostsNode *yaml.Node
	aliases := map[string]string{}
	for _, kv := range top {
		switch kv.Key.Value {
		case "defaults":
			if defs, err = f.defaults(kv.Value); err != nil {
				return nil, err
			}
		case "hosts":
			hostsNode = kv.Value
		case "aliases":
			if aliases, err = f.aliases(kv.Value); err != nil {
				return nil, err
			}
		default:
			return nil, f.UnknownKey(kv.Key, "the inventory", "defaults", "hosts", "aliases")
		}
	}
	if hostsNode == nil {
		return nil, f.Errorf(root, "inventory has no 'hosts:' list; expected hosts: [{name: ...}, ...]")
	}
	hosts, err := f.hosts(hostsNode, defs)
	if err != nil {
		return nil, err
	}
	return New(hosts, aliases)
}

// defaults reads the `defaults:` mapping.
func (f yamlFile) defaults(n *yaml.Node) (connDefaults, error) {
	var d connDefaults
	kvs, err := f.Map(n, "defaults")
	if err != nil {
		return d, err
	}
	for _, kv := range kvs {
		switch kv.Key.Value {
		case "user":
			d.user, err = f.String(kv.Value, "defaults.user")
		case "port":
			d.port, err = f.port(kv.Value, "defaults.port")
		case "identity_file":
			d.identityFile, err = f.String(kv.Value, "defaults.identity_file")
		default:
			err = f.UnknownKey(kv.Key, "defaults", "user", "port", "identity_file")
		}
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// aliases reads the `aliases:` mapping of alias name to query text.
func (f yamlFile) aliases(n *yaml.Node) (map[string]string, error) {
	kvs, err := f.Map(n, "aliases")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if err := checkAliasName(kv.Key.Value); err != nil {
			return nil, f.Errorf(kv.Key, "alias %q: %v", kv.Key.Value, err)
		}
		q, err := f.String(kv.Value, "alias "+kv.Key.Value)
		if err != nil {
			return nil, err
		}
		if q == "" {
			return nil, f.Errorf(kv.Value, "alias %s: empty query; expected a query such as 'role=web'", kv.Key.Value)
		}
		out[kv.Key.Value] = q
	}
	return out, nil
}

// checkAliasName accepts the names `A:name` can refer to.
func checkAliasName(name string) error {
	if name == "" {
		return errors.New("empty name")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' {
			continue
		}
		return fmt.Errorf("unexpected character %q; expected letters, digits, '_', '-' or '.'", c)
	}
	return nil
}

// hosts reads the `hosts:` list, expanding node-set names.
func (f yamlFile) hosts(n *yaml.Node, defs connDefaults) ([]Host, error) {
	entries, err := f.Seq(n, "hosts", "a list of hosts")
	if err != nil {
		return nil, err
	}
	var out []Host
	seen := map[string]hostPos{}
	for _, entry := range entries {
		hs, nameNode, err := f.hostEntry(entry, defs)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if first, dup := seen[h.Name]; dup {
				return nil, f.Errorf(nameNode, "duplicate host %q: defined here and at %s:%d:%d", h.Name, f.Path(), first.line, first.col)
			}
			seen[h.Name] = hostPos{line: nameNode.Line, col: nameNode.Column}
		}
		out = append(out, hs...)
	}
	return out, nil
}

// hostEntry reads one entry of `hosts:` into the hosts its name expands
// to; it also returns the name's node for later errors.
func (f yamlFile) hostEntry(entry *yaml.Node, defs connDefaults) ([]Host, *yaml.Node, error) {
	kvs, err := f.Map(entry, "host")
	if err != nil {
		return nil, nil, err
	}
	tmpl := Host{User: defs.user, Port: defs.port, IdentityFile: defs.identityFile}
	var nameNode, addrNode *yaml.Node
	var name string
	for _, kv := range kvs {
		switch kv.Key.Value {
		case "name":
			nameNode = kv.Value
			name, err = f.String(kv.Value, "name")
		case "address":
			addrNode = kv.Value
			tmpl.Address, err = f.String(kv.Value, "address")
		case "port":
			tmpl.Port, err = f.port(kv.Value, "port")
		case "user":
			tmpl.User, err = f.String(kv.Value, "user")
		case "identity_file":
			tmpl.IdentityFile, err = f.String(kv.Value, "identity_file")
		case "labels":
			tmpl.Labels, err = f.labels(kv.Value)
		default:
			err = f.UnknownKey(kv.Key, "a host", "name", "address", "port", "user", "identity_file", "labels")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if nameNode == nil {
		return nil, nil, f.Errorf(entry, "host has no 'name:'; expected a host name or node set")
	}
	if name == "" {
		return nil, nil, f.Errorf(nameNode, "name: empty; expected a host name or node set")
	}
	names, err := nodeset.ExpandLimit(name, f.limit)
	if err != nil {
		return nil, nil, f.nodesetErr(nameNode, err)
	}
	if len(names) == 0 {
		return nil, nil, f.Errorf(nameNode, "name: %q denotes no host", name)
	}
	for _, hn := range names {
		if err := checkHostName(hn); err != nil {
			return nil, nil, f.Errorf(nameNode, "name %q: %v", name, err)
		}
	}
	if addrNode != nil && len(names) > 1 {
		return nil, nil, f.Errorf(addrNode, "address given for %q, which expands to %d hosts; an address fits one host only", name, len(names))
	}
	if tmpl.Address == "" && addrNode != nil {
		return nil, nil, f.Errorf(addrNode, "address: empty; expected a host name or IP address")
	}
	source := fmt.Sprintf("%s:%d", f.Path(), nameNode.Line)
	hosts := make([]Host, len(names))
	for i, hn := range names {
		h := tmpl
		h.Name = hn
		h.Source = source
		if tmpl.Labels != nil {
			h.Labels = make(map[string]string, len(tmpl.Labels))
			for k, v := range tmpl.Labels {
				h.Labels[k] = v
			}
		}
		hosts[i] = h
	}
	return hosts, nameNode, nil
}

// nodesetErr places a node-set syntax error at its column inside the name
// scalar n.
func (f yamlFile) nodesetErr(n *yaml.Node, err error) error {
	var pe *posfile.Error
	if !errors.As(err, &pe) {
		return f.Errorf(n, "name %q: %v", n.Value, err)
	}
	col := n.Column + pe.Col - 1
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	return posfile.Errorf(f.Path(), n.Line, col, "name %q: bad node set: %s", n.Value, pe.Msg)
}

// checkHostName accepts what a host name or address may hold: letters,
// digits, '.', '-', '_' and ':' (IPv6 addresses).
func checkHostName(name string) error {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':' {
			continue
		}
		return fmt.Errorf("character %q is not allowed in a host name (letters, digits, '.', '-', '_', ':')", c)
	}
	return nil
}
