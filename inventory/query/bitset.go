package query

import (
	"fmt"
	"math/bits"
	"strings"
)

// bitset is a set of host indexes: inventory hosts first, then hosts from
// backend blocks that the inventory does not hold. Operations return new
// sets and never modify their operands, so results can be memoised.
type bitset []uint64

// newBitset returns an empty set able to hold n indexes without growing.
func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// set adds index i, growing the set when needed.
func (b *bitset) set(i int) {
	w := i / 64
	for len(*b) <= w {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (uint(i) % 64)
}

// count returns the number of indexes in the set.
func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// combine returns op applied to a and b word by word, treating missing
// words as zero.
func combine(a, b bitset, op func(x, y uint64) uint64) bitset {
	n := max(len(a), len(b))
	out := make(bitset, n)
	for i := range out {
		var x, y uint64
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		out[i] = op(x, y)
	}
	return out
}

// applyOp returns the set a op b for an operator of a *Binary, in any
// case.
func applyOp(op string, a, b bitset) (bitset, error) {
	switch o := strings.ToLower(op); o {
	case "and", "or", "and not", "xor":
		return apply(o, a, b), nil
	}
	return nil, fmt.Errorf("query: unknown operator %q", op)
}

// apply returns the set a op b for a boolean operator of the grammar:
// "and", "or", "and not" or "xor".
func apply(op string, a, b bitset) bitset {
	switch op {
	case "and":
		return combine(a, b, func(x, y uint64) uint64 { return x & y })
	case "or":
		return combine(a, b, func(x, y uint64) uint64 { return x | y })
	case "and not":
		return combine(a, b, func(x, y uint64) uint64 { return x &^ y })
	default: // "xor"
		return combine(a, b, func(x, y uint64) uint64 { return x ^ y })
	}
}

// each calls f for every index in the set, in increasing order.
func (b bitset) each(f func(i int)) {
	for wi, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			f(wi*64 + t)
			w &= w - 1
		}
	}
}
