package checks

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
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
// built-in that declares a timeout parameter). YAML is read by yamlfile's
// rules (aliases, merge keys, no duplicate keys); errors are
// *posfile.Error.
func LoadConfig(file string, node *yaml.Node, reg Registry) ([]Configured, error) {
	node = yamlfile.Resolve(node)
	if yamlfile.IsNull(node) {
		return nil, nil
	}
	r := yamlfile.New(file, node)
	if node.Kind != yaml.MappingNode {
		return nil, r.Expected(node, "checks", "a mapping of check names to parameters")
	}
	pairs, err := r.Map(node, "checks")
	if err != nil {
		return nil, err
	}
	out := make([]Configured, 0, len(pairs))
	for _, p := range pairs {
		if err := validCheckName(p.Key.Value); err != nil {
			return nil, r.Errorf(p.Key, "checks: %v", err)
		}
		c, err := loadOneCheck(r, p.Key, p.Value, reg)
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
		return fmt.Errorf("check name %q: expected no white space, control characters or commas", name)
	}
	return nil
}

// paramNodes are the key and value nodes of one parameter.
type paramNodes struct{ key, val *yaml.Node }

// checkEntry is one check's mapping as read, before its type builds it.
type checkEntry struct {
	what       string // "check NAME", the prefix of its messages
	c          Configured
	params     Params
	nodes      map[string]paramNodes
	typeNode   *yaml.Node
	nagiosNode *yaml.Node
}

// loadOneCheck builds the check named by key k from its mapping v.
func loadOneCheck(r *yamlfile.Reader, k, v *yaml.Node, reg Registry) (Configured, error) {
	name := k.Value
	e := checkEntry{what: fmt.Sprintf("check %q", name), c: Configured{Line: k.Line}, params: Params{}, nodes: map[string]paramNodes{}}
	if !yamlfile.IsNull(v) {
		if v.Kind != yaml.MappingNode {
			return e.c, r.Expected(v, e.what, "a mapping of parameters")
		}
		pairs, err := r.Map(v, e.what)
		if err != nil {
			return e.c, err
		}
		for _, p := range pairs {
			if err := e.read(r, p); err != nil {
				return e.c, err
			}
		}
	}
	if err := e.resolveType(r, k, reg); err != nil {
		return e.c, err
	}
	b := reg[e.c.Type]
	if _, ok := e.params[configKeyTimeout]; ok && !declaresParam(b, configKeyTimeout) {
		delete(e.params, configKeyTimeout)
	}
	chk, err := b.New(name, e.params)
	if err != nil {
		return e.c, e.paramError(r, k, b, err)
	}
	if chk == nil {
		return e.c, r.Errorf(k, "%s: type %q built no check", e.what, e.c.Type)
	}
	e.c.Check = chk
	return e.c, nil
}

// read takes one key of a check's mapping: a key of the loader's own or
// a parameter of the built-in.
func (e *checkEntry) read(r *yamlfile.Reader, p yamlfile.Pair) error {
	key, pv := p.Key.Value, p.Value
	field := e.what + ": " + key
	switch key {
	case configKeyType:
		s, err := r.Text(pv, field, "a check type name")
		if err == nil && s == "" {
			err = r.Expected(pv, field, "a check type name")
		}
		e.c.Type, e.typeNode = s, pv
		return err
	case configKeyNagios:
		s, err := r.Text(pv, field, "the plugin command line as a string")
		if err != nil {
			return err
		}
		if _, dup := e.nodes["command"]; dup {
			return r.Errorf(p.Key, "%s: both nagios: and command: given", e.what)
		}
		e.nagiosNode = p.Key
		e.params["command"] = s
		e.nodes["command"] = paramNodes{p.Key, pv}
		return nil
	case configKeyHosts:
		s, err := r.Text(pv, field, "a host query such as 'role=web'")
		if err == nil && strings.TrimSpace(s) == "" {
			err = r.Expected(pv, field, "a host query such as 'role=web'")
		}
		e.c.Hosts = s
		return err
	}
	if key == "command" && e.nagiosNode != nil {
		return r.Errorf(e.nagiosNode, "%s: both nagios: and command: given", e.what)
	}
	if key != configKeyTimeout {
		field = e.what + ": parameter " + strconv.Quote(key)
	}
	val, err := paramValue(r, pv, field)
	if err != nil {
		return err
	}
	if key == configKeyTimeout {
		d, err := Params{key: val}.Duration(key, 0)
		var pe *ParamError
		if errors.As(err, &pe) {
			return r.Errorf(pv, "%s: %v", field, pe.Err)
		}
		if err != nil {
			return r.Errorf(pv, "%s: %v", field, err)
		}
		if d <= 0 {
			return r.Expected(pv, field, "a positive duration such as 10s")
		}
		e.c.Timeout = d // and passed on only if the type declares it
	}
	e.params[key] = val
	e.nodes[key] = paramNodes{p.Key, pv}
	return nil
}

// resolveType decides the check's type from type:, nagios: or its name k.
func (e *checkEntry) resolveType(r *yamlfile.Reader, k *yaml.Node, reg Registry) error {
	switch {
	case e.typeNode != nil:
		if _, ok := reg[e.c.Type]; !ok {
			return r.Errorf(e.typeNode, "%s: unknown check type %q (known: %s)", e.what, e.c.Type, strings.Join(reg.Names(), ", "))
		}
		if e.nagiosNode != nil && e.c.Type != "nagios" {
			return r.Errorf(e.nagiosNode, "%s: nagios: given for a check of type %q", e.what, e.c.Type)
		}
	case e.nagiosNode != nil:
		e.c.Type = "nagios"
	default:
		if _, ok := reg[k.Value]; !ok {
			return r.Errorf(k, "%s: unknown check type %q: name a built-in, or give type: or nagios: (known: %s)", e.what, k.Value, strings.Join(reg.Names(), ", "))
		}
		e.c.Type = k.Value
	}
	return nil
}

// paramError places the built-in's error at the parameter it names: an
// unknown key at the key (with the keys meant), a bad value at the value.
func (e *checkEntry) paramError(r *yamlfile.Reader, k *yaml.Node, b Builtin, err error) error {
	var pe *ParamError
	if !errors.As(err, &pe) {
		return &posfile.Error{File: r.Path(), Line: k.Line, Col: k.Column, Msg: e.what, Err: err}
	}
	pn, ok := e.nodes[pe.Key]
	if !ok {
		return &posfile.Error{File: r.Path(), Line: k.Line, Col: k.Column, Msg: e.what, Err: err}
	}
	var unknown *unknownParam
	if errors.As(pe.Err, &unknown) {
		known := slices.Clone(unknown.known)
		for _, own := range []string{configKeyHosts, configKeyTimeout, configKeyType} {
			if !slices.Contains(known, own) {
				known = append(known, own)
			}
		}
		return r.UnknownKey(pn.key, e.what, known...)
	}
	n := pn.val
	if !declaresParam(b, pe.Key) {
		n = pn.key
	}
	return &posfile.Error{File: r.Path(), Line: n.Line, Col: n.Column, Msg: e.what, Err: err}
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

// paramValue decodes a parameter value: a string, int, float64, bool,
// nil, or a list of those.
func paramValue(r *yamlfile.Reader, n *yaml.Node, what string) (any, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		return scalarValue(r, n, what)
	case yaml.SequenceNode:
		items, err := r.Seq(n, what, "a list")
		if err != nil {
			return nil, err
		}
		list := make([]any, 0, len(items))
		for i, e := range items {
			itemWhat := fmt.Sprintf("%s: item %d", what, i+1)
			if e.Kind != yaml.ScalarNode {
				return nil, r.Expected(e, itemWhat, "a string, number or boolean")
			}
			v, err := scalarValue(r, e, itemWhat)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	}
	return nil, r.Expected(n, what, "a string, number, boolean or list")
}

// scalarValue decodes one scalar by its resolved tag.
func scalarValue(r *yamlfile.Reader, n *yaml.Node, what string) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, r.Expected(n, what, "a boolean")
		}
		return b, nil
	case "!!int":
		var i int
		if err := n.Decode(&i); err != nil {
			return nil, r.Errorf(n, "%s: integer %s out of range", what, n.Value)
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, r.Expected(n, what, "a finite number")
		}
		return f, nil
	}
	return n.Value, nil
}
