package inventory

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
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
	f := yamlFile{path: path, limit: limit}
	root, err := f.parse(data)
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
	return yamlFile{path: path, limit: nodeset.MaxNames}.native(resolveAlias(root))
}

// native reads the inventory mapping root.
func (f yamlFile) native(root *yaml.Node) (*Inventory, error) {
	top, err := f.mapping(root, "inventory")
	if err != nil {
		return nil, err
	}
	var defs connDefaults
	var hostsNode *yaml.Node
	aliases := map[string]string{}
	for _, kv := range top {
		switch kv.key.Value {
		case "defaults":
			if defs, err = f.defaults(kv.value); err != nil {
				return nil, err
			}
		case "hosts":
			hostsNode = kv.value
		case "aliases":
			if aliases, err = f.aliases(kv.value); err != nil {
				return nil, err
			}
		default:
			return nil, f.unknownKey(kv.key, "the inventory", "defaults", "hosts", "aliases")
		}
	}
	if hostsNode == nil {
		return nil, f.errf(root, "inventory has no 'hosts:' list; expected hosts: [{name: ...}, ...]")
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
	kvs, err := f.mapping(n, "defaults")
	if err != nil {
		return d, err
	}
	for _, kv := range kvs {
		switch kv.key.Value {
		case "user":
			d.user, err = f.str(kv.value, "defaults.user")
		case "port":
			d.port, err = f.port(kv.value, "defaults.port")
		case "identity_file":
			d.identityFile, err = f.str(kv.value, "defaults.identity_file")
		default:
			err = f.unknownKey(kv.key, "defaults", "user", "port", "identity_file")
		}
		if err != nil {
			return d, err
		}
	}
	return d, nil
}

// aliases reads the `aliases:` mapping of alias name to query text.
func (f yamlFile) aliases(n *yaml.Node) (map[string]string, error) {
	kvs, err := f.mapping(n, "aliases")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if err := checkAliasName(kv.key.Value); err != nil {
			return nil, f.errf(kv.key, "alias %q: %v", kv.key.Value, err)
		}
		q, err := f.str(kv.value, "alias "+kv.key.Value)
		if err != nil {
			return nil, err
		}
		if q == "" {
			return nil, f.errf(kv.value, "alias %s: empty query; expected a query such as 'role=web'", kv.key.Value)
		}
		out[kv.key.Value] = q
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
	n = resolveAlias(n)
	if n.Kind != yaml.SequenceNode {
		return nil, f.errf(n, "hosts: expected a list of hosts, found %s", describeNode(n))
	}
	var out []Host
	seen := map[string]hostPos{}
	for _, entry := range n.Content {
		hs, nameNode, err := f.hostEntry(entry, defs)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if first, dup := seen[h.Name]; dup {
				return nil, f.errf(nameNode, "duplicate host %q: defined here and at %s:%d:%d", h.Name, f.path, first.line, first.col)
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
	kvs, err := f.mapping(entry, "host")
	if err != nil {
		return nil, nil, err
	}
	tmpl := Host{User: defs.user, Port: defs.port, IdentityFile: defs.identityFile}
	var nameNode, addrNode *yaml.Node
	var name string
	for _, kv := range kvs {
		switch kv.key.Value {
		case "name":
			nameNode = kv.value
			name, err = f.str(kv.value, "name")
		case "address":
			addrNode = kv.value
			tmpl.Address, err = f.str(kv.value, "address")
		case "port":
			tmpl.Port, err = f.port(kv.value, "port")
		case "user":
			tmpl.User, err = f.str(kv.value, "user")
		case "identity_file":
			tmpl.IdentityFile, err = f.str(kv.value, "identity_file")
		case "labels":
			tmpl.Labels, err = f.labels(kv.value)
		default:
			err = f.unknownKey(kv.key, "a host", "name", "address", "port", "user", "identity_file", "labels")
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if nameNode == nil {
		return nil, nil, f.errf(entry, "host has no 'name:'; expected a host name or node set")
	}
	if name == "" {
		return nil, nil, f.errf(nameNode, "name: empty; expected a host name or node set")
	}
	names, err := nodeset.ExpandLimit(name, f.limit)
	if err != nil {
		return nil, nil, f.nodesetErr(nameNode, err)
	}
	if len(names) == 0 {
		return nil, nil, f.errf(nameNode, "name: %q denotes no host", name)
	}
	for _, hn := range names {
		if err := checkHostName(hn); err != nil {
			return nil, nil, f.errf(nameNode, "name %q: %v", name, err)
		}
	}
	if addrNode != nil && len(names) > 1 {
		return nil, nil, f.errf(addrNode, "address given for %q, which expands to %d hosts; an address fits one host only", name, len(names))
	}
	if tmpl.Address == "" && addrNode != nil {
		return nil, nil, f.errf(addrNode, "address: empty; expected a host name or IP address")
	}
	source := fmt.Sprintf("%s:%d", f.path, nameNode.Line)
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
		return f.errf(n, "name %q: %v", n.Value, err)
	}
	col := n.Column + pe.Col - 1
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		col++
	}
	return posfile.Errorf(f.path, n.Line, col, "name %q: bad node set: %s", n.Value, pe.Msg)
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
