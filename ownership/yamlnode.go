package ownership

import (
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// entry is one key/value pair of a YAML mapping.
type entry struct {
	key      string
	keyNode  *yaml.Node
	valNode  *yaml.Node
	position Pos // of the key
}

// nodeReader reads the YAML nodes of one owners file through yamlfile's
// rules.
type nodeReader struct {
	*yamlfile.Reader
}

// pos returns the position of n.
func (r nodeReader) pos(n *yaml.Node) Pos {
	return Pos{File: r.Path(), Line: n.Line, Col: n.Column}
}

// mapping returns the entries of a mapping node, rejecting keys not in
// allowed (when given) and duplicate keys. what names the mapping in
// messages, where in unknown-key messages. A null node is an empty
// mapping.
func (r nodeReader) mapping(n *yaml.Node, what, where string, allowed ...string) ([]entry, error) {
	if yamlfile.IsNull(n) {
		return nil, nil
	}
	pairs, err := r.Map(n, what)
	if err != nil {
		return nil, err
	}
	if allowed != nil {
		if err := r.Known(pairs, where, allowed...); err != nil {
			return nil, err
		}
	}
	out := make([]entry, len(pairs))
	for i, p := range pairs {
		out[i] = entry{key: p.Key.Value, keyNode: p.Key, valNode: p.Value, position: r.pos(p.Key)}
	}
	return out, nil
}

// str returns the text of a non-null scalar.
func (r nodeReader) str(n *yaml.Node, what string) (string, error) {
	return r.Text(n, what, "a string")
}

// list returns the strings of a sequence; a single scalar is a one-item
// list and null an empty one. The nodes are returned for positions.
func (r nodeReader) list(n *yaml.Node, what string) ([]string, []*yaml.Node, error) {
	n = yamlfile.Resolve(n)
	switch {
	case yamlfile.IsNull(n):
		return nil, nil, nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, []*yaml.Node{n}, nil
	}
	items, err := r.Seq(n, what, "a list of strings")
	if err != nil {
		return nil, nil, err
	}
	out := make([]string, 0, len(items))
	for _, item := range items {
		s, err := r.str(item, what)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
	}
	return out, items, nil
}
