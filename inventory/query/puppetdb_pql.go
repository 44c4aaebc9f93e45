package query

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// PQL translates the inside of a P{} block to a PuppetDB Query Language
// query that returns certnames, as cumin builds its query:
//
//   - a block with a resource condition (R:, and the class shortcuts C:,
//     O: role, P: profile) is one query on the resources entity,
//     "resources[certname] { ... group by certname }", holding the whole
//     boolean expression, so that every "and", "or" and "not" applies to
//     one resource (P{R:Service = nginx and R:Service%ensure = running}
//     selects the hosts whose nginx service runs); host names and facts in
//     such a block are conditions on the resource's host;
//   - any other block is one query on the nodes entity.
//
// As in cumin, one group may not mix "and" and "or", a resource key may not
// hold both '%' and '@', class titles and resource types are capitalised
// per "::" segment, and a "~" value is a regular expression. fleetcheck's
// extensions: facts (F:, read on the inventory entity, so structured facts
// such as F:os.family work) and inventory paths (I:) may be mixed with
// resources, "not" before a group negates it (cumin drops it), a "~" on a
// parameter is a real regular expression (PuppetDB's AST query that cumin
// sends matches the JSON text of the value against the pattern in quotes),
// and a key without a value (F:key, R:Type%param) tests that it is set.
func PQL(q *PuppetQuery) (string, error) {
	cond, err := pqlGroup(q)
	if err != nil {
		return "", err
	}
	if hasResource(q) {
		return "resources[certname] { " + cond + " group by certname }", nil
	}
	return "nodes[certname] { " + cond + " }", nil
}

// hasResource reports whether q holds a resource condition (R, C, O or P),
// at any depth.
func hasResource(q *PuppetQuery) bool {
	for _, it := range q.Items {
		switch {
		case it.Group != nil:
			if hasResource(it.Group) {
				return true
			}
		case it.Category != "" && strings.Contains("RCOP", it.Category):
			return true
		}
	}
	return false
}

// pqlGroup translates items joined by one boolean operator.
func pqlGroup(q *PuppetQuery) (string, error) {
	if len(q.Items) == 0 {
		return "", fmt.Errorf("empty group")
	}
	parts := make([]string, len(q.Items))
	for i, it := range q.Items {
		if i > 0 && q.Ops[i-1] != q.Ops[0] {
			return "", fmt.Errorf("found '%s' after '%s' in the same group: add parentheses (cumin's PuppetDB grammar does not mix them)", q.Ops[i-1], q.Ops[0])
		}
		p, err := pqlItem(it)
		if err != nil {
			return "", err
		}
		parts[i] = p
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " "+q.Ops[0]+" ") + ")", nil
}

// pqlItem translates one item.
func pqlItem(it *PuppetItem) (string, error) {
	var s string
	var err error
	switch {
	case it.Group != nil:
		s, err = pqlGroup(it.Group)
	case it.Category == "":
		s, err = pqlHosts(it.Hosts)
	default:
		s, err = pqlToken(it)
	}
	if err != nil {
		return "", err
	}
	if it.Neg {
		s = "!(" + s + ")"
	}
	return s, nil
}

// pqlHosts matches certnames against a node set whose names may hold "*".
func pqlHosts(hosts string) (string, error) {
	names := []string{hosts}
	if strings.ContainsAny(hosts, "[],!&^") {
		var err error
		if names, err = nodeset.Expand(hosts); err != nil {
			return "", fmt.Errorf("node set %q: %w", hosts, err)
		}
	}
	parts := make([]string, len(names))
	for i, n := range names {
		if strings.Contains(n, "*") {
			re := "^" + strings.ReplaceAll(regexp.QuoteMeta(n), `\*`, ".*") + "$"
			parts[i] = "certname ~ " + pqlString(re)
		} else {
			parts[i] = "certname = " + pqlString(n)
		}
	}
	if len(parts) == 1 {
		return parts[0], nil
	}
	return "(" + strings.Join(parts, " or ") + ")", nil
}

// pqlToken translates "X:key [op value]".
func pqlToken(it *PuppetItem) (string, error) {
	switch it.Category {
	case "F":
		return "certname in inventory[certname] { " + pqlCompare(pqlPath("facts."+it.Key), it) + " }", nil
	case "I":
		return "certname in inventory[certname] { " + pqlCompare(pqlPath(it.Key), it) + " }", nil
	case "R":
		return pqlResource(it.Key, it)
	case "C", "O", "P":
		return pqlClass(it)
	}
	return "", fmt.Errorf("unknown category %q", it.Category)
}

// pqlResource translates R:Type, R:Type = title, R:Type%param op value and
// R:Type@field op value to a condition on one resource.
func pqlResource(key string, it *PuppetItem) (string, error) {
	if strings.Contains(key, "%") && strings.Contains(key, "@") {
		return "", fmt.Errorf("resource key %q holds both '%%' (a parameter) and '@' (a field)", key)
	}
	var typ, cond string
	switch {
	case strings.Contains(key, "%"):
		t, param, _ := strings.Cut(key, "%")
		typ, cond = t, pqlCompare(pqlPath("parameters."+param), it)
	case strings.Contains(key, "@"):
		t, field, _ := strings.Cut(key, "@")
		typ, cond = t, pqlCompare(pqlPath(field), it)
	case it.Op == "":
		typ = key
	default:
		typ = key
		v := *it
		if strings.EqualFold(key, "class") && it.Op != "~" {
			v.Value = capwords(v.Value)
		}
		cond = pqlCompare("title", &v)
	}
	q := "type = " + pqlString(capwords(typ))
	if cond == "" {
		return q, nil
	}
	return "(" + q + " and " + cond + ")", nil
}

// pqlClass translates the class shortcuts: C:Name is R:Class = Name, O:Name
// is R:Class = Role::Name, P:Name is R:Class = Profile::Name; a "%param" or
// "@field" suffix adds a condition on the same resource.
func pqlClass(it *PuppetItem) (string, error) {
	title, rest := it.Key, ""
	if i := strings.IndexAny(title, "%@"); i >= 0 {
		title, rest = title[:i], title[i:]
	}
	if rest == "" && it.Op != "" {
		return "", fmt.Errorf("%s:%s takes no value without a %%param or @field", it.Category, it.Key)
	}
	switch it.Category {
	case "O":
		title = "Role::" + title
	case "P":
		title = "Profile::" + title
	}
	q := "type = \"Class\" and title = " + pqlString(capwords(title))
	if rest != "" {
		if strings.ContainsAny(rest[1:], "%@") {
			return "", fmt.Errorf("class key %q holds both '%%' (a parameter) and '@' (a field)", it.Key)
		}
		path := rest[1:]
		if rest[0] == '%' {
			path = "parameters." + path
		}
		q += " and " + pqlCompare(pqlPath(path), it)
	}
	return "(" + q + ")", nil
}

// pqlCompare returns "path op value", or "path is not null" without an
// operator.
func pqlCompare(path string, it *PuppetItem) string {
	if it.Op == "" {
		return path + " is not null"
	}
	return path + " " + it.Op + " " + pqlValue(it)
}

// Value forms that cumin's PuppetDB grammar reads as typed atoms rather
// than strings (pyparsing_common.number, hexadecimal, octal).
var (
	pdbHex   = regexp.MustCompile(`^0[xX][0-9a-fA-F]+$`)
	pdbOctal = regexp.MustCompile(`^0[0-7]+$`)
	pdbInt   = regexp.MustCompile(`^[+-]?[0-9]+$`)
	pdbReal  = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:[eE][+-]?[0-9]+)|(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$`)
)

// pqlValue returns a value literal as cumin types it: a bare hexadecimal
// or octal number becomes its decimal integer, a bare integer or real a
// number, bare true/false a boolean; anything quoted, any other word, and
// every "~" operand is a string.
func pqlValue(it *PuppetItem) string {
	v := it.Value
	if it.ValueQuote != 0 || it.Op == "~" {
		return pqlString(v)
	}
	switch {
	case v == "true" || v == "false":
		return v
	case pdbHex.MatchString(v):
		if n, err := strconv.ParseUint(v[2:], 16, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	case pdbOctal.MatchString(v):
		if n, err := strconv.ParseUint(v[1:], 8, 64); err == nil {
			return strconv.FormatUint(n, 10)
		}
	case pdbInt.MatchString(v):
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
	case pdbReal.MatchString(v):
		if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) {
			s := strconv.FormatFloat(f, 'f', -1, 64)
			if !strings.Contains(s, ".") {
				s += ".0"
			}
			return s
		}
	}
	return pqlString(v)
}

// pqlPath quotes the segments of a dotted field path that are not plain
// identifiers.
func pqlPath(path string) string {
	segs := strings.Split(path, ".")
	for i, s := range segs {
		plain := s != ""
		for j := 0; j < len(s); j++ {
			if !isAlnum(s[j]) && s[j] != '_' {
				plain = false
			}
		}
		if !plain {
			segs[i] = pqlString(s)
		}
	}
	return strings.Join(segs, ".")
}

// pqlString returns s as a PQL double-quoted string.
func pqlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// capwords capitalises each "::" segment as Python's string.capwords does
// (first letter upper, the rest lower): "role::web" gives "Role::Web".
func capwords(s string) string {
	segs := strings.Split(s, "::")
	for i, seg := range segs {
		if seg == "" {
			continue
		}
		segs[i] = strings.ToUpper(seg[:1]) + strings.ToLower(seg[1:])
	}
	return strings.Join(segs, "::")
}
