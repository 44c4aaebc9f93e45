package checks

import (
	"fmt"
	"sort"
)

// Param documents one parameter of a built-in check.
type Param struct {
	Name    string // key in the check's YAML mapping
	Default string // default as a user would write it, "" for none/required
	Help    string // one line
}

// Builtin describes one built-in check type and builds instances of it.
type Builtin struct {
	Name    string  // type name, e.g. "disk"
	Help    string  // what it reports, one line
	Params  []Param // its parameters
	Default bool    // part of the default set swept when no check is configured
	// New builds a configured instance named name from params; errors about
	// a parameter are *ParamError.
	New func(name string, params Params) (Check, error)
}

// Registry maps check type names to built-ins.
type Registry map[string]Builtin

// Builtins returns the registry of every built-in check, one entry per file
// of this package (puppet.go, systemd.go, ...).
func Builtins() Registry {
	r := Registry{}
	for _, b := range []Builtin{
		puppetBuiltin(),
		systemdBuiltin(),
		diskBuiltin(),
		rebootBuiltin(),
		ntpBuiltin(),
		loadBuiltin(),
		memoryBuiltin(),
		certsBuiltin(),
		serviceBuiltin(),
		httpBuiltin(),
		nagiosBuiltin(),
	} {
		r[b.Name] = b
	}
	return r
}

// Names returns the registered type names, sorted.
func (r Registry) Names() []string {
	out := make([]string, 0, len(r))
	for n := range r {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Defaults returns the names of the checks swept when none is configured.
func (r Registry) Defaults() []string {
	var out []string
	for _, n := range r.Names() {
		if r[n].Default {
			out = append(out, n)
		}
	}
	return out
}

// New builds an instance of built-in typ named name.
func (r Registry) New(typ, name string, params Params) (Check, error) {
	b, ok := r[typ]
	if !ok {
		return nil, fmt.Errorf("unknown check type %q (known: %v)", typ, r.Names())
	}
	return b.New(name, params)
}
