package checks

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"go.yaml.in/yaml/v3"
)

// Configured is one check of the `checks:` section, built and ready to run.
type Configured struct {
	Check   Check         // the instance, named by its key
	Type    string        // the built-in type it is an instance of
	Hosts   string        // the `hosts:` query where it applies, as written; "" for every host
	Timeout time.Duration // its `timeout:`, 0 for the runner's default
	Line    int           // line of its name in the file
}

// Keys of a check's mapping that are not parameters of the built-in.
const (
	configKeyType    = "type"
	configKeyNagios  = "nagios"
	configKeyHosts   = "hosts"
	configKeyTimeout = "timeout"
)

// LoadConfig builds the checks of a `checks:` section. node is the mapping
// under `checks:`; each key names a check and its value is a mapping of
// parameters. The type is the `type:` key, else nagios when a `nagios:`
// key holds a plugin command line, else the name itself. `hosts:` (a query)
// and `timeout:` are not parameters (`timeout:` is also passed to a
// built-in that declares a timeout parameter). Errors are *posfile.Error.
func LoadConfig(file string, node *yaml.Node, reg Registry) ([]Configured, error) {
	node = resolveYAMLNode(node)
	if node == nil || isYAMLNull(node) {
		return nil, nil
	}
	if node.Kind != yaml.MappingNode {
		return nil, posfile.Errorf(file, node.Line, node.Column, "checks: want a mapping of check names to parameters, got %s", yamlKindName(node))
	}
	var out []Configured
	seen := map[string]int{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], resolveYAMLNode(node.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return nil, posfile.Errorf(file, k.Line, k.Column, "checks: want a check name, got %s", yamlKindName(k))
		}
		name := k.Value
		if err := validCheckName(name); err != nil {
			return nil, posfile.Errorf(file, k.Line, k.Column, "checks: %v", err)
		}
		if first, dup := seen[name]; dup {
			return nil, posfile.Errorf(file, k.Line, k.Column, "duplicate check name %q (first defined at line %d)", name, first)
		}
		seen[name] = k.Line
		c, err := loadOneCheck(file, k, v, reg)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// validCheckName refuses names that would garble outputs and selections.
func validCheckName(name string) error {
	if name == "" {
		return errors.New("empty check name")
	}
	if strings.IndexFunc(name, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' }) >= 0 {
		return fmt.Errorf("check name %q: want no white space, control characters or commas", name)
	}
	return nil
}

// paramNodes are the key and value nodes of one parameter.
type paramNodes struct{ key, val *yaml.Node }

// loadOneCheck builds the check named by key k from its mapping v.
func loadOneCheck(file string, k, v *yaml.Node, reg Registry) (Configured, error) {
	name := k.Value
	at := func(n *yaml.Node, format string, args ...any) error {
		return posfile.Errorf(file, n.Line, n.Column, "check %q: %s", name, fmt.Sprintf(format, args...))
	}
	c := Configured{Line: k.Line}
	params := Params{}
	nodes := map[string]paramNodes{}
	var typeNode, nagiosNode *yaml.Node
	switch {
	case v == nil || isYAMLNull(v):
	case v.Kind != yaml.MappingNode:
		return c, at(v, "want a mapping of parameters, got %s", yamlKindName(v))
	default:
		keys := map[string]bool{}
		pairs, err := yamlMappingPairs(v)
		if err != nil {
			return c, &posfile.Error{File: file, Line: err.node.Line, Col: err.node.Column, Msg: fmt.Sprintf("check %q: %s", name, err.msg)}
		}
		for _, pair := range pairs {
			pk, pv := pair[0], resolveYAMLNode(pair[1])
			if pk.Kind != yaml.ScalarNode {
				return c, at(pk, "want a parameter name, got %s", yamlKindName(pk))
			}
			key := pk.Value
			if keys[key] {
				return c, at(pk, "duplicate key %q", key)
			}
			keys[key] = true
			switch key {
			case configKeyType:
				s, ok := yamlString(pv)
				if !ok || s == "" {
					return c, at(pv, "type: want a check type name, got %s", yamlKindName(pv))
				}
				c.Type, typeNode = s, pv
				continue
			case configKeyNagios:
				s, ok := yamlString(pv)
				if !ok {
					return c, at(pv, "nagios: want the plugin command line as a string, got %s", yamlKindName(pv))
				}
				nagiosNode = pk
				params["command"] = s
				nodes["command"] = paramNodes{pk, pv}
				continue
			case configKeyHosts:
				s, ok := yamlString(pv)
				if !ok || strings.TrimSpace(s) == "" {
					return c, at(pv, "hosts: want a host query such as 'role=web', got %s", yamlKindName(pv))
				}
				c.Hosts = s
				continue
			case configKeyTimeout:
				val, verr := yamlParamValue(pv)
				if verr != nil {
					return c, at(verr.node, "timeout: %s", verr.msg)
				}
				d, err := Params{key: val}.Duration(key, 0)
				if err != nil {
					var pe *ParamError
					if errors.As(err, &pe) {
						err = pe.Err
					}
					return c, at(pv, "timeout: %v", err)
				}
				if d <= 0 {
					return c, at(pv, "timeout: want a positive duration such as 10s")
				}
				c.Timeout = d
				nodes[key] = paramNodes{pk, pv} // passed on only if the type declares it
				params[key] = val
				continue
			}
			val, verr := yamlParamValue(pv)
			if verr != nil {
				return c, at(verr.node, "parameter %q: %s", key, verr.msg)
			}
			params[key] = val
			nodes[key] = paramNodes{pk, pv}
		}
		if _, ok := nodes["command"]; ok && nagiosNode != nil && keys["command"] {
			return c, at(nagiosNode, "both nagios: and command: given")
		}
	}
	switch {
	case typeNode != nil:
		if _, ok := reg[c.Type]; !ok {
			return c, at(typeNode, "unknown check type %q (known: %s)", c.Type, strings.Join(reg.Names(), ", "))
		}
		if nagiosNode != nil && c.Type != "nagios" {
			return c, at(nagiosNode, "nagios: given for a check of type %q", c.Type)
		}
	case nagiosNode != nil:
		c.Type = "nagios"
	default:
		if _, ok := reg[name]; !ok {
			return c, at(k, "unknown check type %q: name a built-in, or give type: or nagios: (known: %s)", name, strings.Join(reg.Names(), ", "))
		}
		c.Type = name
	}
	b := reg[c.Type]
	if _, ok := params[configKeyTimeout]; ok && !declaresParam(b, configKeyTimeout) {
		delete(params, configKeyTimeout)
	}
	chk, err := b.New(name, params)
	if err != nil {
		var pe *ParamError
		if errors.As(err, &pe) {
			n := k
			if pn, ok := nodes[pe.Key]; ok {
				n = pn.val
				if !declaresParam(b, pe.Key) || strings.HasPrefix(pe.Err.Error(), "unknown parameter") {
					n = pn.key
				}
			}
			return c, &posfile.Error{File: file, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("check %q", name), Err: err}
		}
		return c, &posfile.Error{File: file, Line: k.Line, Col: k.Column, Msg: fmt.Sprintf("check %q", name), Err: err}
	}
	if chk == nil {
		return c, at(k, "type %q built no check", c.Type)
	}
	c.Check = chk
	return c, nil
}

// declaresParam reports whether built-in b documents parameter key.
func declaresParam(b Builtin, key string) bool {
	for _, p := range b.Params {
		if p.Name == key {
			return true
		}
	}
	return false
}

// yamlNodeError is a problem at a node, turned into a *posfile.Error by the caller.
type yamlNodeError struct {
	node *yaml.Node
	msg  string
}

// yamlMappingPairs returns the key/value pairs of a mapping, expanding YAML
// merge keys ("<<: *base"): explicit keys first, then merged keys that are
// not given explicitly.
func yamlMappingPairs(m *yaml.Node) ([][2]*yaml.Node, *yamlNodeError) {
	budget := yamlMergeBudget
	return yamlMergedPairs(m, 0, &budget)
}

// Bounds on merge-key expansion, so that nested merges cannot blow up.
const (
	yamlMergeBudget   = 10000 // pairs visited in all
	yamlMergeMaxDepth = 10    // merges within merges
)

// yamlMergedPairs is yamlMappingPairs at a merge depth, spending budget.
func yamlMergedPairs(m *yaml.Node, depth int, budget *int) ([][2]*yaml.Node, *yamlNodeError) {
	if depth > yamlMergeMaxDepth {
		return nil, &yamlNodeError{m, fmt.Sprintf("<<: merges nested more than %d deep", yamlMergeMaxDepth)}
	}
	*budget -= len(m.Content) / 2
	if *budget < 0 {
		return nil, &yamlNodeError{m, "<<: merges expand to too many keys"}
	}
	var explicit, merged [][2]*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!merge" {
			explicit = append(explicit, [2]*yaml.Node{k, v})
			continue
		}
		v = resolveYAMLNode(v)
		var sources []*yaml.Node
		switch v.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{v}
		case yaml.SequenceNode:
			for _, e := range v.Content {
				sources = append(sources, resolveYAMLNode(e))
			}
		}
		if len(sources) == 0 {
			return nil, &yamlNodeError{v, "<<: want a mapping or a list of mappings to merge"}
		}
		for _, src := range sources {
			if src.Kind != yaml.MappingNode {
				return nil, &yamlNodeError{src, "<<: want a mapping to merge, got " + yamlKindName(src)}
			}
			pairs, err := yamlMergedPairs(src, depth+1, budget)
			if err != nil {
				return nil, err
			}
			merged = append(merged, pairs...)
		}
	}
	have := map[string]bool{}
	for _, p := range explicit {
		if p[0].Kind == yaml.ScalarNode {
			have[p[0].Value] = true
		}
	}
	out := explicit
	for _, p := range merged {
		if p[0].Kind == yaml.ScalarNode && have[p[0].Value] {
			continue
		}
		have[p[0].Value] = true
		out = append(out, p)
	}
	return out, nil
}

// yamlParamValue decodes a parameter value: a string, int, float64, bool,
// nil, or a list of those. The error names the offending node.
func yamlParamValue(n *yaml.Node) (any, *yamlNodeError) {
	n = resolveYAMLNode(n)
	switch n.Kind {
	case yaml.ScalarNode:
		v, err := yamlScalar(n)
		if err != nil {
			return nil, &yamlNodeError{n, err.Error()}
		}
		return v, nil
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			e = resolveYAMLNode(e)
			if e.Kind != yaml.ScalarNode {
				return nil, &yamlNodeError{e, fmt.Sprintf("item %d: want a string, number or bool, got %s", i+1, yamlKindName(e))}
			}
			v, err := yamlScalar(e)
			if err != nil {
				return nil, &yamlNodeError{e, fmt.Sprintf("item %d: %v", i+1, err)}
			}
			list = append(list, v)
		}
		return list, nil
	}
	return nil, &yamlNodeError{n, "want a string, number, bool or list, got " + yamlKindName(n)}
}

// yamlScalar decodes one scalar by its resolved tag.
func yamlScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("want a bool, got %q", n.Value)
		}
		return b, nil
	case "!!int":
		var i int
		if err := n.Decode(&i); err != nil {
			return nil, fmt.Errorf("integer %q out of range", n.Value)
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("want a finite number, got %q", n.Value)
		}
		return f, nil
	}
	return n.Value, nil
}

// yamlString returns a scalar's text; ok is false for non-scalars and null.
func yamlString(n *yaml.Node) (string, bool) {
	n = resolveYAMLNode(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return "", false
	}
	return n.Value, true
}

// resolveYAMLNode unwraps documents and follows aliases.
func resolveYAMLNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 100; i++ {
		switch {
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
			n = n.Content[0]
		case n.Kind == yaml.AliasNode && n.Alias != nil:
			n = n.Alias
		default:
			return n
		}
	}
	return n
}

// isYAMLNull reports an explicit or empty null.
func isYAMLNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// yamlKindName names what a node holds, for messages.
func yamlKindName(n *yaml.Node) string {
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
			return "nothing"
		case "!!str":
			return fmt.Sprintf("%q", n.Value)
		}
		return n.Value
	}
	return "something else"
}

// sizeUnit returns the multiplier of a ParseSize unit.
func sizeUnit(unit string) (float64, bool) {
	switch unit {
	case "B":
		return 1, true
	case "KB":
		return 1e3, true
	case "KiB":
		return 1 << 10, true
	case "MB":
		return 1e6, true
	case "MiB":
		return 1 << 20, true
	case "GB":
		return 1e9, true
	case "GiB":
		return 1 << 30, true
	case "TB":
		return 1e12, true
	case "TiB":
		return 1 << 40, true
	}
	return 0, false
}

// ParseSize parses a byte size such as "512MiB", "10GB" or "1.5TiB"
// (KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024; a
// bare integer is bytes). Units are case-sensitive and follow the number
// directly.
func ParseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], s[i:]
	if num == "" || !isPlainNumber(num) {
		return 0, fmt.Errorf("bad size %q: want a number and a unit such as 512MiB or 10GB", s)
	}
	mult := 1.0
	if unit != "" {
		m, ok := sizeUnit(unit)
		if !ok {
			return 0, fmt.Errorf("bad size %q: unknown unit %q (want B, KB, KiB, MB, MiB, GB, GiB, TB or TiB)", s, unit)
		}
		mult = m
	} else if strings.Contains(num, ".") {
		return 0, fmt.Errorf("bad size %q: a bare number is bytes and must be whole", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: %w", s, err)
	}
	bytes := v * mult
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	if bytes != math.Trunc(bytes) {
		return 0, fmt.Errorf("bad size %q: not a whole number of bytes", s)
	}
	return int64(bytes), nil
}
