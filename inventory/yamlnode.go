package inventory

import (
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
)

// yamlFile reads the YAML inventories of one file (native and Ansible)
// through yamlfile's rules, with the inventory's own bounds.
type yamlFile struct {
	*yamlfile.Reader
	limit      int              // most hosts one node set or host pattern may expand to
	seenBodies map[bodyUse]bool // Ansible group bodies already read
}

// parseYAML decodes data read from path into a yamlFile and the
// document's root value, nil for an empty document.
func parseYAML(path string, data []byte, limit int) (yamlFile, *yaml.Node, error) {
	r, root, err := yamlfile.Parse(path, data)
	return yamlFile{Reader: r, limit: limit}, root, err
}

// port reads a TCP port: an integer from 1 to 65535.
func (f yamlFile) port(n *yaml.Node, what string) (int, error) {
	p, err := f.Int(n, what, "an integer port")
	if err != nil {
		return 0, err
	}
	if p < 1 || p > 65535 {
		return 0, f.Errorf(yamlfile.Resolve(n), "%s: port %d out of range; expected 1 to 65535", what, p)
	}
	return p, nil
}

// labels reads a mapping of label keys to scalar values.
func (f yamlFile) labels(n *yaml.Node) (map[string]string, error) {
	kvs, err := f.Map(n, "labels")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if err := checkLabelKey(kv.Key.Value); err != nil {
			return nil, f.Errorf(kv.Key, "label key %q: %v", kv.Key.Value, err)
		}
		v, err := f.Text(kv.Value, "label "+kv.Key.Value, "a string")
		if err != nil {
			return nil, err
		}
		out[kv.Key.Value] = v
	}
	return out, nil
}

// checkLabelKey accepts keys a query can name: letters, digits, '_', '-',
// '.' and '/', starting with a letter or '_'.
func checkLabelKey(k string) error {
	if k == "" {
		return errors.New("empty; expected a name such as role")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if letter || i > 0 && (c >= '0' && c <= '9' || c == '-' || c == '.' || c == '/') {
			continue
		}
		return fmt.Errorf("unexpected character %q; expected letters, digits, '_', '-', '.' or '/', starting with a letter", c)
	}
	return nil
}
