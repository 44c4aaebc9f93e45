// Package yamlfile reads fleetcheck's YAML files (inventory, owners,
// checks, fleetcheck.yaml) as go.yaml.in/yaml/v3 node trees, with the
// same rules and the same messages for all of them: every problem is a
// *posfile.Error "file:line:col: what: expected X, found Y"; aliases and
// merge keys (<<:) work everywhere, within a bound; duplicate keys are
// errors; a syntax error names the line where the text stops being YAML;
// an unknown key is an error that suggests the key meant.
package yamlfile

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// Bounds on what aliases and merge keys may cost one file.
const (
	// MaxExpansion is how many mapping entries and list items a file may
	// be read as beyond twice its own nodes: aliases and merges may
	// repeat a part, not blow up (a "billion laughs" stops here).
	MaxExpansion = 1_000_000
	// MaxMergeDepth bounds merges within merges.
	MaxMergeDepth = 10
)

// Reader reads the nodes of one file and turns every problem into a
// *posfile.Error at the node's line and column.
type Reader struct {
	path   string
	budget int // entries and items left to read
}

// Pair is one entry of a mapping, aliases resolved.
type Pair struct {
	Key, Value *yaml.Node
}

// yamlLineRe matches the position prefix of go.yaml.in/yaml syntax errors.
var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes data read from path and returns a Reader for it and the
// document's root value, nil for an empty document (nothing, comments,
// or null).
func Parse(path string, data []byte) (*Reader, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		return nil, nil, posfile.Errorf(path, max(line, firstBadLine(data)), 0, "invalid YAML: %s", msg)
	}
	r := New(path, &doc)
	if len(doc.Content) == 0 {
		return r, nil, nil
	}
	root := Resolve(doc.Content[0])
	if IsNull(root) {
		return r, nil, nil
	}
	return r, root, nil
}

// New returns a Reader for nodes decoded from path, such as a mapping
// given inline in another file; n bounds what aliases may cost.
func New(path string, n *yaml.Node) *Reader {
	return &Reader{path: path, budget: 2*countNodes(n) + MaxExpansion}
}

// countNodes counts the nodes of a tree without following aliases.
func countNodes(n *yaml.Node) int {
	if n == nil {
		return 0
	}
	c := 1
	for _, e := range n.Content {
		c += countNodes(e)
	}
	return c
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

// Path is the file the nodes came from.
func (r *Reader) Path() string { return r.path }

// Errorf builds an error at node n.
func (r *Reader) Errorf(n *yaml.Node, format string, args ...any) *posfile.Error {
	return posfile.Errorf(r.path, n.Line, n.Column, format, args...)
}

// Expected reports that n is not what was expected: "what: expected
// expected, found <n described>" (no prefix when what is "").
func (r *Reader) Expected(n *yaml.Node, what, expected string) *posfile.Error {
	if what == "" {
		return r.Errorf(n, "expected %s, found %s", expected, Describe(n))
	}
	return r.Errorf(n, "%s: expected %s, found %s", what, expected, Describe(n))
}

// Resolve follows YAML aliases (*name) to the anchored node; a document
// node stands for its content.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch {
		case n.Kind == yaml.AliasNode && n.Alias != nil:
			n = n.Alias
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
			n = n.Content[0]
		default:
			return n
		}
	}
	return n
}

// IsNull reports an explicit (null, ~) or empty value.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Describe names what a node holds, for "found ..." in messages.
func Describe(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
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
		return fmt.Sprintf("%s %q", n.ShortTag(), n.Value)
	}
	return "an unsupported YAML node"
}

// spend charges k entries or items read to the file's budget.
func (r *Reader) spend(n *yaml.Node, k int) error {
	r.budget -= k
	if r.budget < 0 {
		return r.Errorf(n, "aliases and merge keys (<<:) expand this file beyond %d entries; expected each part to be repeated a bounded number of times", MaxExpansion)
	}
	return nil
}

// Map returns the entries of a mapping in order, aliases resolved and
// merge keys (<<: *base, or a list of bases) expanded: the mapping's own
// keys first, then merged keys it does not set, earlier bases winning.
// Keys must be non-null scalars and may not repeat. what names the
// mapping in messages.
func (r *Reader) Map(n *yaml.Node, what string) ([]Pair, error) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, r.Expected(n, what, "a mapping")
	}
	return r.merged(n, what, 0)
}

// merged is Map on a mapping node at a merge depth.
func (r *Reader) merged(n *yaml.Node, what string, depth int) ([]Pair, error) {
	if depth > MaxMergeDepth {
		return nil, r.Errorf(n, "%s: <<: merges nested more than %d deep", what, MaxMergeDepth)
	}
	if err := r.spend(n, len(n.Content)/2); err != nil {
		return nil, err
	}
	out := make([]Pair, 0, len(n.Content)/2)
	seen := make(map[string]*yaml.Node, len(n.Content)/2)
	var bases []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Resolve(n.Content[i]), Resolve(n.Content[i+1])
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			b, err := r.mergeBases(v, what)
			if err != nil {
				return nil, err
			}
			bases = append(bases, b...)
			continue
		}
		if k.Kind != yaml.ScalarNode || IsNull(k) {
			return nil, r.Expected(k, what, "a string key")
		}
		if first, dup := seen[k.Value]; dup {
			return nil, r.Errorf(k, "%s: key %q repeated (first at line %d, column %d)", what, k.Value, first.Line, first.Column)
		}
		seen[k.Value] = k
		out = append(out, Pair{Key: k, Value: v})
	}
	for _, b := range bases {
		pairs, err := r.merged(b, what, depth+1)
		if err != nil {
			return nil, err
		}
		if err := r.spend(b, len(pairs)); err != nil {
			return nil, err
		}
		for _, p := range pairs {
			if _, set := seen[p.Key.Value]; !set {
				seen[p.Key.Value] = p.Key
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// mergeBases returns the mappings a merge key's value v names.
func (r *Reader) mergeBases(v *yaml.Node, what string) ([]*yaml.Node, error) {
	switch v.Kind {
	case yaml.MappingNode:
		return []*yaml.Node{v}, nil
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			break
		}
		out := make([]*yaml.Node, len(v.Content))
		for i, e := range v.Content {
			if out[i] = Resolve(e); out[i].Kind != yaml.MappingNode {
				return nil, r.Expected(out[i], what+": <<", "a mapping to merge")
			}
		}
		return out, nil
	}
	return nil, r.Expected(v, what+": <<", "a mapping or a list of mappings to merge")
}

// Seq returns the items of a list, aliases resolved.
func (r *Reader) Seq(n *yaml.Node, what, expected string) ([]*yaml.Node, error) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil, r.Expected(n, what, expected)
	}
	if err := r.spend(n, len(n.Content)); err != nil {
		return nil, err
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, e := range n.Content {
		out[i] = Resolve(e)
	}
	return out, nil
}

// Known rejects the first key of pairs that is not in allowed; where
// names the mapping ("a host", "team ops").
func (r *Reader) Known(pairs []Pair, where string, allowed ...string) error {
	for _, p := range pairs {
		if !slices.Contains(allowed, p.Key.Value) {
			return r.UnknownKey(p.Key, where, allowed...)
		}
	}
	return nil
}

// UnknownKey reports key k, not one of allowed, in where, suggesting
// the allowed key meant when it looks like a typo.
func (r *Reader) UnknownKey(k *yaml.Node, where string, allowed ...string) *posfile.Error {
	return r.Errorf(k, "unknown key %q in %s%s", k.Value, where, OneOf(k.Value, allowed))
}

// OneOf completes a message about word, which is not one of candidates:
// ` (did you mean "x"?)` when one is close, else "; expected one of a,
// b, c".
func OneOf(word string, candidates []string) string {
	if s := closest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(candidates) == 0 {
		return ""
	}
	return "; expected one of " + strings.Join(candidates, ", ")
}

// String reads a string scalar; numbers, booleans and null must be
// quoted to be strings.
func (r *Reader) String(n *yaml.Node, what string) (string, error) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return "", r.Expected(n, what, "a string")
	}
	return n.Value, nil
}

// Text reads any non-null scalar as the text written (numbers and
// booleans become their text).
func (r *Reader) Text(n *yaml.Node, what, expected string) (string, error) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || IsNull(n) {
		return "", r.Expected(n, what, expected)
	}
	return n.Value, nil
}

// Int reads an integer scalar.
func (r *Reader) Int(n *yaml.Node, what, expected string) (int, error) {
	n = Resolve(n)
	var v int
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		return 0, r.Expected(n, what, expected)
	}
	return v, nil
}

// closest returns the candidate within edit distance 2 of s, else the
// one candidate s abbreviates (at least 3 characters), else "".
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" || len(s) < 3 {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(c, s) {
			if best != "" {
				return ""
			}
			best = c
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
