package checks

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parsePuppetSummary decodes last_run_summary.yaml. Puppet writes it in one
// plain shape (top-level sections of two-space-indented "key: value"
// lines), which a line scanner reads in a tenth of the time and
// allocations of the YAML decoder: decoding it was a tenth of a sweep's
// client CPU. Anything outside that shape (comments, quotes, flow style,
// other indentation, duplicate keys, values the scanner is not sure YAML
// would read the same way) goes to the YAML decoder, so the result is
// always what yaml.Unmarshal gives.
func parsePuppetSummary(body string) (puppetSummary, error) {
	if ps, ok := scanPuppetSummary(body); ok {
		return ps, nil
	}
	var ps puppetSummary
	err := yaml.Unmarshal([]byte(body), &ps)
	return ps, err
}

// scanPuppetSummary reads the plain shape; ok is false when body is not
// in it. Top-level keys share one indentation (Puppet 3 indents them by
// two spaces), and the keys of each section one deeper indentation.
func scanPuppetSummary(body string) (ps puppetSummary, ok bool) {
	section := ""
	topIndent, subIndent := -1, -1
	seenTop, seenSub := map[string]bool{}, map[string]bool{}
	first := true
	for line := range strings.SplitSeq(body, "\n") {
		if first {
			first = false
			if line == "---" {
				continue
			}
		}
		rest := strings.TrimLeft(line, " ")
		if rest == "" {
			continue // blank
		}
		indent := len(line) - len(rest)
		if topIndent < 0 {
			topIndent = indent
		}
		if indent > topIndent {
			if section == "" || subIndent >= 0 && indent != subIndent {
				return ps, false
			}
			subIndent = indent
			key, value, good := plainPair(rest)
			if !good || seenSub[key] || !ps.setPuppetField(section, key, value) {
				return ps, false
			}
			seenSub[key] = true
			continue
		}
		if indent != topIndent {
			return ps, false
		}
		key, value, good := plainPair(rest)
		if !good || seenTop[key] {
			return ps, false
		}
		seenTop[key] = true
		clear(seenSub)
		section, subIndent = "", -1
		if value == "" {
			section = key // "section:" with nothing under it is null: its field stays nil
		} else if isPuppetSection(key) {
			return ps, false // a scalar where a mapping is read: the decoder says how that fails
		}
	}
	return ps, true
}

// isPuppetSection reports whether the check reads the top-level key.
func isPuppetSection(key string) bool {
	switch key {
	case "version", "application", "resources", "time", "events":
		return true
	}
	return false
}

// setPuppetField stores one "key: value" of a section the way YAML would
// decode it into puppetSummary; false when unsure.
func (ps *puppetSummary) setPuppetField(section, key, value string) bool {
	switch section {
	case "version":
		if ps.Version == nil {
			ps.Version = &struct {
				Config any `yaml:"config"`
				Puppet any `yaml:"puppet"`
			}{}
		}
		v, good := plainVersionValue(value)
		if !good {
			return false
		}
		switch key {
		case "config":
			ps.Version.Config = v
		case "puppet":
			ps.Version.Puppet = v
		}
	case "application":
		if ps.Application == nil {
			ps.Application = &struct {
				Environment string `yaml:"converged_environment"`
			}{}
		}
		if key == "converged_environment" {
			switch {
			case plainWord(value):
				ps.Application.Environment = value
			case len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0]:
				ps.Application.Environment = value[1 : len(value)-1]
			default:
				return false
			}
		}
	case "resources", "time", "events":
		f, good := plainDecimal(value)
		if !good {
			return false
		}
		m := ps.floatSection(section)
		if *m == nil {
			*m = map[string]float64{}
		}
		(*m)[key] = f
	}
	return true
}

// floatSection is the map field of a numeric section.
func (ps *puppetSummary) floatSection(section string) *map[string]float64 {
	switch section {
	case "resources":
		return &ps.Resources
	case "time":
		return &ps.Time
	}
	return &ps.Events
}

// plainPair splits "key: value" or "key:" where key is a plain word
// (plainWord) and value is empty, or starts with a letter, a digit or '_'
// (or '-' and a digit) and holds only those, '.', '-' and '+', or is
// such characters in double or single quotes (Puppet quotes a config
// version made of digits: '1700000000'): scalars YAML reads as written,
// never as a keyword, sequence, tag, anchor or escape.
func plainPair(line string) (key, value string, ok bool) {
	key, value, found := strings.Cut(line, ":")
	if !found || !plainWord(key) {
		return "", "", false
	}
	if value == "" || value == " " {
		return key, "", true
	}
	if value[0] != ' ' {
		return "", "", false
	}
	value = value[1:]
	inner := value
	if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
		inner = value[1 : len(value)-1]
	} else if !isWordByte(value[0]) && !(value[0] == '-' && len(value) > 1 && value[1] >= '0' && value[1] <= '9') {
		return "", "", false
	}
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; !isWordByte(c) && c != '.' && c != '-' && c != '+' {
			return "", "", false
		}
	}
	return key, value, true
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// plainDecimal parses "-12", "0", "3.25", "2.1322e-05": numbers YAML
// reads as the same float64 (no leading zeros, signs other than a leading
// '-', or specials). Real Puppet writes small timings with an exponent.
func plainDecimal(s string) (float64, bool) {
	mantissa, exp, hasExp := strings.Cut(s, "e")
	if !hasExp {
		mantissa, exp, hasExp = strings.Cut(s, "E")
	}
	digits := strings.TrimPrefix(mantissa, "-")
	intPart, frac, hasFrac := strings.Cut(digits, ".")
	if !allDigits(intPart) || len(intPart) > 1 && intPart[0] == '0' || hasFrac && frac != "" && !allDigits(frac) ||
		hasFrac && frac == "" && !hasExp {
		return 0, false
	}
	if hasExp && !allDigits(strings.TrimPrefix(strings.TrimPrefix(exp, "-"), "+")) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// plainVersionValue is what YAML decodes a version value into an any as,
// where the scanner is sure: "" is nil, "1700000000" an int, "7.28.0" a string.
func plainVersionValue(s string) (any, bool) {
	switch {
	case s == "":
		return nil, true
	case allDigits(s) && (s == "0" || s[0] != '0') && len(s) <= 18:
		n, err := strconv.Atoi(s)
		return n, err == nil
	case strings.Count(s, ".") >= 2 && allDigits(strings.ReplaceAll(s, ".", "")) && !strings.Contains(s, ".."):
		return s, true
	case len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0]:
		return s[1 : len(s)-1], true // plainPair let only safe characters in: no escapes
	}
	return nil, false
}

// plainWord is a key or value YAML decodes into a string as itself:
// letters, digits and '_', starting with a letter or '_', and not a YAML
// keyword.
func plainWord(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z' || s[0] == '_') {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "yes", "no", "on", "off", "y", "n":
		return false
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
