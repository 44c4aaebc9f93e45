package nodeset

import (
	"fmt"
	"strconv"
)

// elem is one number of a range set with the width it is padded to; pad
// is 0 when padding adds nothing, so equal texts have equal elems.
type elem struct {
	v   uint64
	pad int
}

// numRange is one comma-separated item of a range set: lo to hi by step,
// every number padded to pad digits. at is its byte offset in the pattern.
type numRange struct {
	lo, hi, step uint64
	pad          int
	at           int
}

// size is how many numbers r holds.
func (r numRange) size() uint64 { return (r.hi-r.lo)/r.step + 1 }

// rangeSet accumulates the distinct elements of a bracket group in order.
type rangeSet struct {
	elems []elem
	seen  map[elem]struct{} // built once a second range arrives
}

// add appends the numbers of r that the set does not hold yet.
func (rs *rangeSet) add(r numRange, limit int) error {
	if n := r.size(); n > uint64(limit) || len(rs.elems)+int(n) > 2*limit {
		return fmt.Errorf("range set expands to more than %d numbers", limit)
	}
	if rs.elems == nil {
		rs.elems = make([]elem, 0, r.size())
		for v := r.lo; ; v += r.step {
			rs.elems = append(rs.elems, mkElem(v, r.pad))
			if r.hi-v < r.step {
				break
			}
		}
		return nil
	}
	if rs.seen == nil {
		rs.seen = make(map[elem]struct{}, len(rs.elems)+int(r.size()))
		for _, e := range rs.elems {
			rs.seen[e] = struct{}{}
		}
	}
	for v := r.lo; ; v += r.step {
		e := mkElem(v, r.pad)
		if _, dup := rs.seen[e]; !dup {
			rs.seen[e] = struct{}{}
			rs.elems = append(rs.elems, e)
		}
		if r.hi-v < r.step {
			break
		}
	}
	if len(rs.elems) > limit {
		return fmt.Errorf("range set expands to more than %d numbers", limit)
	}
	return nil
}

// mkElem normalises pad so that it is 0 when v already has that many digits.
func mkElem(v uint64, pad int) elem {
	if pad > 0 && pad <= numDigits(v) {
		pad = 0
	}
	return elem{v: v, pad: pad}
}

// numDigits is the length of v in decimal.
func numDigits(v uint64) int {
	n := 1
	for v >= 10 {
		v /= 10
		n++
	}
	return n
}

// appendElem appends e's text: v in decimal, zero-padded to e.pad digits.
func appendElem(buf []byte, e elem) []byte {
	if e.pad > 0 {
		for n := numDigits(e.v); n < e.pad; n++ {
			buf = append(buf, '0')
		}
	}
	return strconv.AppendUint(buf, e.v, 10)
}
