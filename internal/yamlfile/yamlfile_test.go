package yamlfile

import (
	"strconv"
	"strings"
	"testing"
)

func TestMapMerge(t *testing.T) {
	r, root, err := Parse("f.yaml", []byte("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {<<: [*a, *b], x: 3}\n"))
	if err != nil {
		t.Fatal(err)
	}
	top, err := r.Map(root, "top")
	if err != nil || len(top) != 3 {
		t.Fatalf("top = %v, %v; want 3 pairs", top, err)
	}
	c, err := r.Map(top[2].Value, "c")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c {
		got = append(got, p.Key.Value+"="+p.Value.Value)
	}
	// Own keys first and winning, then the bases' in order, the earlier base winning.
	if strings.Join(got, " ") != "x=3 y=1 z=2" {
		t.Errorf("merged = %v, want x=3 y=1 z=2", got)
	}
}

func TestMapErrors(t *testing.T) {
	deep := "m0: &m0 {k: 1}\n"
	for i := 1; i <= MaxMergeDepth+1; i++ {
		deep += "m" + strconv.Itoa(i) + ": &m" + strconv.Itoa(i) + " {<<: *m" + strconv.Itoa(i-1) + "}\n"
	}
	deep += "z: {<<: *m" + strconv.Itoa(MaxMergeDepth+1) + "}\n"
	for _, tc := range []struct{ text, want string }{
		{"a: 1\na: 2\n", `f.yaml:2:1: top: key "a" repeated (first at line 1, column 1)`},
		{"? [a]\n: 1\n", `f.yaml:1:3: top: expected a string key, found a list`},
		{"~: 1\n", `f.yaml:1:1: top: expected a string key, found nothing (null)`},
		{"a: {<<: 1}\n", `f.yaml:1:9: a: <<: expected a mapping or a list of mappings to merge, found the integer 1`},
		{"a: {<<: [{b: 1}, x]}\n", `f.yaml:1:18: a: <<: expected a mapping to merge, found "x"`},
		{deep, "f.yaml:1:5: m11: <<: merges nested more than 10 deep"},
	} {
		r, root, err := Parse("f.yaml", []byte(tc.text))
		if err != nil {
			t.Fatal(err)
		}
		pairs, err := r.Map(root, "top")
		for i := 0; err == nil && i < len(pairs); i++ {
			if pairs[i].Value.Kind == root.Kind {
				_, err = r.Map(pairs[i].Value, pairs[i].Key.Value)
			}
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %s", tc.text, err, tc.want)
		}
	}
}

func TestParseEmpty(t *testing.T) {
	for _, text := range []string{"", "# nothing\n", "~\n", "null\n", "---\n"} {
		r, root, err := Parse("f.yaml", []byte(text))
		if err != nil || root != nil || r == nil {
			t.Errorf("%q: root %v, err %v; want an empty document", text, root, err)
		}
	}
}

func TestOneOf(t *testing.T) {
	keys := []string{"critical", "warning", "unknown", "unreachable"}
	for _, tc := range []struct{ word, want string }{
		{"critcal", ` (did you mean "critical"?)`},
		{"warn", ` (did you mean "warning"?)`}, // an abbreviation
		{"un", "; expected one of critical, warning, unknown, unreachable"},
		{"unk", ` (did you mean "unknown"?)`},
		{"unr", ` (did you mean "unreachable"?)`},
		{"colour", "; expected one of critical, warning, unknown, unreachable"},
	} {
		if got := OneOf(tc.word, keys); got != tc.want {
			t.Errorf("OneOf(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if got := OneOf("x", nil); got != "" {
		t.Errorf("OneOf with no candidates = %q", got)
	}
}
