// Package nodeset expands and folds ClusterShell-style node sets such as
// "web[0001-0003,0007].dc1.example.org".
//
// Syntax of a pattern, as ClusterShell's NodeSet understands it:
//
//   - a name without brackets is itself: "db1.example.org";
//   - a bracket group holds a comma-separated range set: single numbers
//     "[1,3]", ranges "[1-3]", ranges with a step "[0-10/2]"; a leading zero
//     sets the width the numbers are padded to ("[001-010]");
//   - several bracket groups in one name expand as a cartesian product, the
//     last group varying fastest: "rack[1-2]-node[01-02]";
//   - top-level operators combine node sets strictly left to right, with no
//     precedence: "," union, "!" difference, "&" intersection, "^" symmetric
//     difference. Spaces around operators are ignored.
//
// Syntax errors are *posfile.Error values with File "nodeset", Line 1 and
// the 1-based byte column of the problem within the pattern; a caller that
// embeds a node set in a larger text can shift Col by its offset.
package nodeset

import "github.com/fleetcheck/fleetcheck/internal/posfile"

// MaxNames is the most names one pattern may expand to; beyond it Expand
// fails rather than exhaust memory.
const MaxNames = 10_000_000

// Expand returns every name a node-set pattern denotes, in order, without
// duplicates. Operators inside one pattern: "," union, "!" difference,
// "&" intersection, "^" symmetric difference.
//
// Order is the order of first appearance in the pattern (a range set keeps
// its written order, "[3,1]" gives 3 then 1); difference and intersection
// keep the order of their left operand; a symmetric difference lists the
// left operand's survivors, then the right's. The empty pattern is the
// empty set.
func Expand(pattern string) ([]string, error) {
	return expand(pattern, MaxNames)
}

// ExpandLimit is Expand refusing patterns that denote more than limit
// names (Expand uses MaxNames).
func ExpandLimit(pattern string, limit int) ([]string, error) {
	return expand(pattern, min(limit, MaxNames))
}

// expand is Expand with a configurable bound on the number of names.
func expand(pattern string, limit int) ([]string, error) {
	p := &parser{src: pattern, limit: limit}
	return p.parse()
}

// errAt builds the syntax error at 0-based byte offset off of the pattern.
func errAt(off int, format string, args ...any) *posfile.Error {
	return posfile.Errorf("nodeset", 1, off+1, format, args...)
}
