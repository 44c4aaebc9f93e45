package nodeset

import (
	"errors"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// fuzzLimit keeps fuzzed expansions small enough to run thousands a second.
const fuzzLimit = 10000

// FuzzExpand checks that Expand never panics, that its errors are
// positioned inside the pattern, that its results hold no duplicates, and
// that Expand(Fold(names)) gives back the same set (with Fold canonical).
// The seed corpus is in testdata/fuzz/FuzzExpand.
func FuzzExpand(f *testing.F) {
	for _, s := range []string{
		"web[0001-0003,0007].dc1.example.org",
		"rack[1-2]-node[01-04]",
		"n[0-10/2]!n4",
		"a,b&b^c",
		"[1,12][2,22]",
		"n[0998-1001]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		names, err := expand(pattern, fuzzLimit)
		if err != nil {
			var pe *posfile.Error
			if !errors.As(err, &pe) || pe.File != "nodeset" || pe.Line != 1 || pe.Col < 1 || pe.Col > len(pattern)+1 {
				t.Fatalf("expand(%q): badly placed error %v", pattern, err)
			}
			return
		}
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			if seen[n] {
				t.Fatalf("expand(%q): duplicate name %q", pattern, n)
			}
			seen[n] = true
		}
		folded := Fold(names)
		back, err := expand(folded, fuzzLimit)
		if err != nil {
			t.Fatalf("expand(%q) ok but Fold gave %q which fails: %v", pattern, folded, err)
		}
		if !sameSet(names, back) {
			t.Fatalf("expand(%q) = %q, but Fold gave %q which expands to %q", pattern, names, folded, back)
		}
		if again := Fold(back); again != folded {
			t.Fatalf("Fold is not canonical for %q: %q then %q", pattern, folded, again)
		}
	})
}
