package ownership

import "math/bits"

// bitset is a set of small non-negative integers (host indices).
type bitset []uint64

// newBitset returns an empty set sized for n members.
func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

// set adds i, growing the set when needed.
func (b *bitset) set(i int) {
	w := i / 64
	for w >= len(*b) {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (uint(i) % 64)
}

// count returns the number of members.
func (b bitset) count() int {
	n := 0
	for _, w := range b {
		n += bits.OnesCount64(w)
	}
	return n
}

// orMasked adds the members of o that are also in mask, reporting
// whether any of them was new to b.
func (b *bitset) orMasked(o, mask bitset) bool {
	added := false
	for i := 0; i < len(o) && i < len(mask); i++ {
		w := o[i] & mask[i]
		if i >= len(*b) {
			*b = append(*b, make(bitset, i+1-len(*b))...)
		}
		if w&^(*b)[i] != 0 {
			added = true
			(*b)[i] |= w
		}
	}
	return added
}

// subsetOf reports whether every member of b is in o.
func (b bitset) subsetOf(o bitset) bool {
	for i, w := range b {
		var ow uint64
		if i < len(o) {
			ow = o[i]
		}
		if w&^ow != 0 {
			return false
		}
	}
	return true
}
