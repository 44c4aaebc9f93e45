package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStringRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"role=web", "role=web"},
		{"  role=web   AND dc=dc1 ", "role=web and dc=dc1"},
		{"(a or b) and c", "a or b and c"},
		{"a or (b and c)", "a or (b and c)"},
		{"((a))", "a"},
		{"not a or b", "not a or b"},
		{"a and (not b or c)", "a and (not b or c)"},
		{"not (not a)", "not (not a)"},
		{"a and  not   b", "a and not b"},
		{`role="web server"`, `role="web server"`},
		{`role='a"b'`, `role=a"b`},
		{`role='"ab'`, `role="\"ab"`},
		{`role~^(web|cache)$`, `role~^(web|cache)$`},
		{`role~"\d+"`, `role~\d+`},
		{`k=")"`, `k=")"`},
		{"A:x and D{ a  or (b and c) } xor K{x*}", "A:x and D{a or (b and c)} xor K{x*}"},
		{"P{ not F:a = 1 or (R:Class = 'x y' and not h1) }", "P{not F:a = 1 or (R:Class = 'x y' and not h1)}"},
		{`P{"and even P{}}, if quoted"}`, `P{"and even P{}}, if quoted"}`},
	}
	for _, tt := range tests {
		e, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := e.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			continue
		}
		e2, err := Parse(e.String())
		if err != nil || e2.String() != e.String() {
			t.Errorf("reparse of %q: %v, %v", e.String(), e2, err)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it prints parses
// back to the same text.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"role=web and dc=dc1", "not (A:x or web[01-10].dc1) xor K{*.example.org}",
		`role~"^(a|b)$" and P{F:os.family = Debian or R:Class%p = 'v'}`,
	}
	if dir, err := os.Getwd(); err == nil {
		for _, name := range []string{"global_valid_grammars.txt", "global_invalid_grammars.txt", "direct_valid.txt", "puppetdb_valid.txt", "puppetdb_invalid.txt", "knownhosts_valid.txt"} {
			data, err := os.ReadFile(filepath.Join(dir, "..", "..", "..", "shared", "peers", "cumin", name))
			if err != nil {
				continue
			}
			for _, l := range strings.Split(string(data), "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					seeds = append(seeds, l)
				}
			}
		}
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		e, err := Parse(q)
		if err != nil {
			return
		}
		s := e.String()
		e2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", q, s, err)
		}
		if s2 := e2.String(); s2 != s {
			t.Fatalf("Parse(%q) printed %q, which prints back as %q", q, s, s2)
		}
	})
}
