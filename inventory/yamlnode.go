package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// yamlFile reads yaml.Node trees of one file, turning every problem into
// a *posfile.Error at the node's line and column.
type yamlFile struct {
	path       string
	limit      int              // most hosts one node set or host pattern may expand to
	seenBodies map[bodyUse]bool // Ansible group bodies already read
}

// keyValue is one entry of a YAML mapping.
type keyValue struct {
	key, value *yaml.Node
}

// errf builds an error at node n.
func (f yamlFile) errf(n *yaml.Node, format string, args ...any) *posfile.Error {
	return posfile.Errorf(f.path, n.Line, n.Column, format, args...)
}

// yamlLineRe matches the position prefix of go.yaml.in/yaml syntax errors.
var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parse decodes data into a node tree and returns the document's root
// value, nil for an empty document.
func (f yamlFile) parse(data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return nil, posfile.Errorf(f.path, max(line, firstBadLine(data)), 0, "invalid YAML: %s", m[2])
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return nil, &posfile.Error{File: f.path, Msg: "invalid YAML: " + msg}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := resolveAlias(doc.Content[0])
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	return root, nil
}

// firstBadLine returns the first line n such that the first n lines of
// data do not parse, found by bisection; 0 if none. go.yaml.in/yaml
// reports parser errors at the line where the enclosing block starts,
// which can be far above the mistake.
func firstBadLine(data []byte) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	fails := func(n int) bool {
		var v yaml.Node
		return yaml.Unmarshal(bytes.Join(lines[:n], nil), &v) != nil
	}
	if !fails(len(lines)) {
		return 0
	}
	lo, hi := 0, len(lines) // fails(hi) is true; fails(lo) taken as false
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// resolveAlias follows YAML aliases (*name) to the anchored node.
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// describeNode names what a node is, for "expected X, found Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing (null)"
		case "!!int":
			return "the integer " + n.Value
		case "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return fmt.Sprintf("%s %q", n.Tag, n.Value)
	}
	return "an unsupported YAML node"
}

// mapping returns the entries of a mapping node in order, rejecting other
// kinds, non-string keys and repeated keys. what names the value for errors.
func (f yamlFile) mapping(n *yaml.Node, what string) ([]keyValue, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return nil, f.errf(n, "%s: expected a mapping, found %s", what, describeNode(n))
	}
	out := make([]keyValue, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolveAlias(n.Content[i]), resolveAlias(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
			return nil, f.errf(k, "%s: expected a string key, found %s", what, describeNode(k))
		}
		if first, dup := seen[k.Value]; dup {
			return nil, f.errf(k, "%s: key %q repeated (first at line %d, column %d)", what, k.Value, first.Line, first.Column)
		}
		seen[k.Value] = k
		out = append(out, keyValue{key: k, value: v})
	}
	return out, nil
}

// str reads a string scalar; numbers, booleans and null must be quoted.
func (f yamlFile) str(n *yaml.Node, what string) (string, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return "", f.errf(n, "%s: expected a string, found %s", what, describeNode(n))
	}
	return n.Value, nil
}

// scalarText reads any non-null scalar as the text written (numbers and
// booleans become their text).
func (f yamlFile) scalarText(n *yaml.Node, what string) (string, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", f.errf(n, "%s: expected a string, found %s", what, describeNode(n))
	}
	return n.Value, nil
}

// port reads a TCP port: an integer from 1 to 65535.
func (f yamlFile) port(n *yaml.Node, what string) (int, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, f.errf(n, "%s: expected an integer port, found %s", what, describeNode(n))
	}
	var p int64
	if err := n.Decode(&p); err != nil {
		return 0, f.errf(n, "%s: expected an integer port, found %s", what, describeNode(n))
	}
	if p < 1 || p > 65535 {
		return 0, f.errf(n, "%s: port %s out of range; expected 1 to 65535", what, n.Value)
	}
	return int(p), nil
}

// labels reads a mapping of label keys to scalar values.
func (f yamlFile) labels(n *yaml.Node) (map[string]string, error) {
	kvs, err := f.mapping(n, "labels")
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		if err := checkLabelKey(kv.key.Value); err != nil {
			return nil, f.errf(kv.key, "label key %q: %v", kv.key.Value, err)
		}
		v, err := f.scalarText(kv.value, "label "+kv.key.Value)
		if err != nil {
			return nil, err
		}
		out[kv.key.Value] = v
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

// unknownKey reports a key that is not one of allowed, suggesting the
// closest allowed key when it looks like a typo.
func (f yamlFile) unknownKey(k *yaml.Node, where string, allowed ...string) error {
	msg := fmt.Sprintf("unknown key %q in %s; expected one of %s", k.Value, where, strings.Join(allowed, ", "))
	if s := closest(k.Value, allowed); s != "" {
		msg = fmt.Sprintf("unknown key %q in %s (did you mean %q?)", k.Value, where, s)
	}
	return f.errf(k, "%s", msg)
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
