package ownership

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"go.yaml.in/yaml/v3"
)

// entry is one key/value pair of a YAML mapping.
type entry struct {
	key      string
	keyNode  *yaml.Node
	valNode  *yaml.Node
	position Pos // of the key
}

// nodeReader reads YAML nodes of one file, reporting problems as
// *posfile.Error at the node's position.
type nodeReader struct {
	file string
}

// pos returns the position of n.
func (r nodeReader) pos(n *yaml.Node) Pos {
	return Pos{File: r.file, Line: n.Line, Col: n.Column}
}

// errAt builds a *posfile.Error at n.
func (r nodeReader) errAt(n *yaml.Node, format string, args ...any) *posfile.Error {
	return posfile.Errorf(r.file, n.Line, n.Column, format, args...)
}

// resolve follows YAML aliases (*anchor) to the node they stand for.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an explicit or implicit YAML null.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// kindName names a node kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

// mapping returns the entries of a mapping node, rejecting keys not in
// allowed and duplicate keys. what names the mapping in messages. A null
// node is an empty mapping.
func (r nodeReader) mapping(n *yaml.Node, what string, allowed ...string) ([]entry, error) {
	n = resolve(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, r.errAt(n, "%s: want a mapping, got %s", what, kindName(n))
	}
	out := make([]entry, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, r.errAt(k, "%s: want a plain key, got %s", what, kindName(k))
		}
		if first, dup := seen[k.Value]; dup {
			return nil, r.errAt(k, "%s: duplicate key %q (first at line %d)", what, k.Value, first.Line)
		}
		seen[k.Value] = k
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			return nil, r.errAt(k, "%s: unknown key %q, want one of %s", what, k.Value, strings.Join(allowed, ", "))
		}
		out = append(out, entry{key: k.Value, keyNode: k, valNode: v, position: r.pos(k)})
	}
	return out, nil
}

// str returns the text of a non-null scalar.
func (r nodeReader) str(n *yaml.Node, what string) (string, error) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		return "", r.errAt(n, "%s: want a string, got %s", what, kindName(n))
	}
	return n.Value, nil
}

// list returns the strings of a sequence; a single scalar is a one-item
// list and null an empty one. The nodes are returned for positions.
func (r nodeReader) list(n *yaml.Node, what string) ([]string, []*yaml.Node, error) {
	n = resolve(n)
	switch {
	case isNull(n):
		return nil, nil, nil
	case n.Kind == yaml.ScalarNode:
		return []string{n.Value}, []*yaml.Node{n}, nil
	case n.Kind != yaml.SequenceNode:
		return nil, nil, r.errAt(n, "%s: want a list of strings, got %s", what, kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	nodes := make([]*yaml.Node, 0, len(n.Content))
	for _, item := range n.Content {
		s, err := r.str(item, what)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
		nodes = append(nodes, resolve(item))
	}
	return out, nodes, nil
}

// yamlLineRE finds the line number in go-yaml's syntax errors.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns a go-yaml parse error into a *posfile.Error.
func (r nodeReader) syntaxError(err error) *posfile.Error {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return posfile.Errorf(r.file, line, 0, "invalid YAML: %s", m[2])
	}
	return &posfile.Error{File: r.file, Msg: "invalid YAML", Err: err}
}
