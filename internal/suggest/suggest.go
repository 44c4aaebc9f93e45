// Package suggest finds the known name nearest to a mistyped one, for the
// "did you mean" of every message about an unknown command, flag, check,
// team or key.
package suggest

import (
	"fmt"

	"github.com/xrash/smetrics"
)

// Nearest returns the candidate nearest to word when it is near enough to
// be a typo of it (an edit distance of at most a third of its length, and
// at least 1), else "".
func Nearest(word string, candidates []string) string {
	best, bestD := "", max(1, len(word)/3)+1
	for _, c := range candidates {
		if d := smetrics.WagnerFischer(word, c, 1, 1, 1); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// DidYouMean is ` (did you mean "x"?)` for the candidate nearest to word,
// or "" when none is near.
func DidYouMean(word string, candidates []string) string {
	if s := Nearest(word, candidates); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}
