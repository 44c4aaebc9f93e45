// Package nodeset expands and folds ClusterShell-style node sets such as
// "web[0001-0003,0007].dc1.example.org".
package nodeset

import "errors"

// Expand returns every name a node-set pattern denotes, in order, without
// duplicates. Operators inside one pattern: "," union, "!" difference,
// "&" intersection, "^" symmetric difference.
func Expand(pattern string) ([]string, error) {
	return nil, errors.New("nodeset: not implemented yet")
}

// Fold returns the shortest node-set text for names (order and duplicates
// do not matter), e.g. "web[0001-0003,0007].dc1.example.org".
func Fold(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ","
		}
		out += n
	}
	return out
}
