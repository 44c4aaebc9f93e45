package inventory

import (
	"fmt"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// LoadAnsibleINI parses an Ansible INI inventory: `[group]` sections of
// host lines ("web[01:10].example.org ansible_port=2222 role=web"),
// `[group:children]` sections of child group names and `[group:vars]`
// sections of key=value lines; hosts before any section are "ungrouped".
// Comments start with '#' or ';' at the start of a line, or '#' at the
// start of a word. See the comment on ansibleModel for how groups and
// variables become Host fields, labels and Groups.
func LoadAnsibleINI(path string, data []byte) (*Inventory, error) {
	return loadAnsibleINI(path, data, nodeset.MaxNames)
}

// loadAnsibleINI is LoadAnsibleINI with a bound on the hosts one pattern
// expands to.
func loadAnsibleINI(path string, data []byte, limit int) (*Inventory, error) {
	m := newAnsibleModel(path)
	p := iniParser{path: path, m: m, group: "ungrouped", kind: "hosts", limit: limit}
	for i, raw := range strings.Split(string(data), "\n") {
		if err := p.line(i+1, strings.TrimRight(raw, "\r")); err != nil {
			return nil, err
		}
	}
	return m.build()
}

// iniParser holds the state of an INI inventory between lines.
type iniParser struct {
	path  string
	m     *ansibleModel
	group string // current section's group
	kind  string // "hosts", "children" or "vars"
	limit int    // most hosts one pattern may expand to
}

// line parses one line (1-based number n).
func (p *iniParser) line(n int, text string) error {
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || trimmed[0] == '#' || trimmed[0] == ';' {
		return nil
	}
	col := strings.Index(text, trimmed) + 1
	if trimmed[0] == '[' {
		return p.section(n, col, trimmed)
	}
	switch p.kind {
	case "children":
		return p.child(n, text)
	case "vars":
		return p.groupVar(n, col, trimmed)
	default:
		return p.hostLine(n, text)
	}
}

// section parses a "[name]", "[name:children]" or "[name:vars]" header.
func (p *iniParser) section(n, col int, header string) error {
	if !strings.HasSuffix(header, "]") {
		return posfile.Errorf(p.path, n, col+len(header), "expected ']' to end the section header %s", header)
	}
	inner := header[1 : len(header)-1]
	name, kind := inner, "hosts"
	if i := strings.LastIndexByte(inner, ':'); i >= 0 {
		name, kind = inner[:i], inner[i+1:]
		if kind != "children" && kind != "vars" {
			return posfile.Errorf(p.path, n, col+i+2, "unknown section type %q; expected [%s], [%s:children] or [%s:vars]", kind, name, name, name)
		}
	}
	if err := checkGroupName(name); err != nil {
		return posfile.Errorf(p.path, n, col+1, "section [%s]: %v", inner, err)
	}
	if kind == "children" && name == "ungrouped" {
		return posfile.Errorf(p.path, n, col+1, "group %q cannot have children", name)
	}
	p.m.group(name)
	p.group, p.kind = name, kind
	return nil
}

// child parses a line of a [group:children] section.
func (p *iniParser) child(n int, text string) error {
	toks, err := iniTokens(text)
	if err != nil {
		return posfile.Errorf(p.path, n, err.col, "%s", err.msg)
	}
	if len(toks) == 0 {
		return nil
	}
	if len(toks) > 1 {
		return posfile.Errorf(p.path, n, toks[1].col, "expected one group name a line in [%s:children], found %q", p.group, toks[1].text)
	}
	name := toks[0].text
	if err := checkGroupName(name); err != nil {
		return posfile.Errorf(p.path, n, toks[0].col, "child group %q: %v", name, err)
	}
	if name == "all" || name == p.group {
		return posfile.Errorf(p.path, n, toks[0].col, "group %q cannot be a child of %q", name, p.group)
	}
	p.m.addChild(p.group, name)
	return nil
}

// groupVar parses a "key=value" line of a [group:vars] section.
func (p *iniParser) groupVar(n, col int, trimmed string) error {
	eq := strings.IndexByte(trimmed, '=')
	if eq < 0 {
		return posfile.Errorf(p.path, n, col, "expected key=value in [%s:vars], found %q", p.group, trimmed)
	}
	key := strings.TrimSpace(trimmed[:eq])
	if key == "" {
		return posfile.Errorf(p.path, n, col, "expected a variable name before '='")
	}
	raw := trimmed[eq+1:]
	value := unquoteINI(strings.TrimSpace(raw))
	valCol := col + eq + 1 + (len(raw) - len(strings.TrimLeft(raw, " \t")))
	g := p.m.group(p.group)
	g.vars = append(g.vars, ansVar{key: key, value: value, scalar: true, line: n, col: valCol})
	return nil
}

// hostLine parses "pattern [key=value ...]" in a hosts section.
func (p *iniParser) hostLine(n int, text string) error {
	toks, terr := iniTokens(text)
	if terr != nil {
		return posfile.Errorf(p.path, n, terr.col, "%s", terr.msg)
	}
	if len(toks) == 0 {
		return nil
	}
	pat := toks[0]
	names, port, off, err := ansibleHostPattern(pat.text, p.limit)
	if err != nil {
		return posfile.Errorf(p.path, n, pat.col+off, "host %q: %v", pat.text, err)
	}
	for _, name := range names {
		if err := checkHostName(name); err != nil {
			return posfile.Errorf(p.path, n, pat.col, "host %q: %v", pat.text, err)
		}
	}
	var vars []ansVar
	for _, t := range toks[1:] {
		eq := strings.IndexByte(t.text, '=')
		if eq <= 0 {
			return posfile.Errorf(p.path, n, t.col, "expected key=value after the host name, found %q", t.text)
		}
		vars = append(vars, ansVar{key: t.text[:eq], value: t.text[eq+1:], scalar: true, line: n, col: t.col + eq + 1})
	}
	for _, name := range names {
		h := p.m.addHost(name, p.group, n, pat.col, port)
		h.vars = append(h.vars, vars...)
	}
	return nil
}

// iniToken is one shell-like word of a line with its 1-based column.
type iniToken struct {
	text string
	col  int
}

// iniTokenError is a tokenizing problem at a column.
type iniTokenError struct {
	col int
	msg string
}

// iniTokens splits a line into words as a shell would: blanks separate,
// single and double quotes group (and are removed), '#' at the start of a
// word starts a comment.
func iniTokens(line string) ([]iniToken, *iniTokenError) {
	var toks []iniToken
	i := 0
	for i < len(line) {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		if i == len(line) || line[i] == '#' {
			break
		}
		start := i
		var b strings.Builder
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			c := line[i]
			if c != '"' && c != '\'' {
				b.WriteByte(c)
				i++
				continue
			}
			end := strings.IndexByte(line[i+1:], c)
			if end < 0 {
				return nil, &iniTokenError{col: i + 1, msg: fmt.Sprintf("unterminated %c quote", c)}
			}
			b.WriteString(line[i+1 : i+1+end])
			i += end + 2
		}
		toks = append(toks, iniToken{text: b.String(), col: start + 1})
	}
	return toks, nil
}

// unquoteINI removes one pair of matching surrounding quotes.
func unquoteINI(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
