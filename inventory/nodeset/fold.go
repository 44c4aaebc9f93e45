package nodeset

import (
	"slices"
	"strconv"
	"strings"
)

// Fold returns the shortest node-set text for names (order and duplicates
// do not matter), e.g. "web[0001-0003,0007].dc1.example.org".
//
// Names are grouped by their text with every run of digits taken out;
// numbers equal across a group stay as they are, and the group folds
// along the numbers that vary, the last one first: names differing in one
// number become one range set, and where several numbers vary, equal range
// sets fold along the next number to the left ("rack[1-2]-node[01-04]"),
// the rest being listed as separate elements. Number texts stay exact
// ("01" and "1" are different names). The result is sorted and depends
// only on the set of names. A name holding a character the syntax
// reserves (",!&^[]", blanks, control characters) is written as it is and
// cannot be expanded back.
func Fold(names []string) string {
	if len(names) == 0 {
		return ""
	}
	var texts []string
	groups := map[string]*foldGroup{}
	var order []*foldGroup
	var last *foldGroup
	var key []byte
	var nums []fnum
	for _, n := range names {
		if hasReserved(n) {
			texts = append(texts, n)
			continue
		}
		key, nums = splitNumbers(n, key[:0], nums[:0])
		g := last
		if g == nil || g.key != string(key) {
			g = groups[string(key)]
			if g == nil {
				g = newFoldGroup(string(key), len(nums))
				if len(order) == 0 {
					// Most name lists share one pattern: size for it.
					g.vals = make([]fnum, 0, len(names)*len(nums))
				}
				groups[g.key] = g
				order = append(order, g)
			}
			last = g
		}
		g.vals = append(g.vals, nums...)
		g.rows++
	}
	for _, g := range order {
		texts = g.fold(texts)
	}
	slices.Sort(texts)
	texts = slices.Compact(texts)
	return strings.Join(texts, ",")
}

// fieldMark stands for a number in a group key; names cannot hold it.
const fieldMark = 0

// hasReserved reports whether n holds a character no node name may hold.
func hasReserved(n string) bool {
	for i := 0; i < len(n); i++ {
		if reserved(n[i]) {
			return true
		}
	}
	return false
}

// splitNumbers appends to key the text of n with each run of digits
// replaced by fieldMark, and to nums those runs. Runs too long to count
// stay in the key as text.
func splitNumbers(n string, key []byte, nums []fnum) ([]byte, []fnum) {
	for i := 0; i < len(n); {
		if !isDigit(n[i]) {
			key = append(key, n[i])
			i++
			continue
		}
		j := i
		for j < len(n) && isDigit(n[j]) {
			j++
		}
		text := n[i:j]
		if len(text) > maxDigits {
			key = append(key, text...)
		} else {
			key = append(key, fieldMark)
			nums = append(nums, fnum{v: parseDigits(text), width: len(text), padded: padOf(text) > 0})
		}
		i = j
	}
	return key, nums
}

// reserved reports whether c cannot appear in a node name.
func reserved(c byte) bool {
	return isOp(c) || c == '[' || c == ']' || c <= ' ' || c == 0x7f
}

// foldGroup holds the names sharing one key: lits around the numbers and
// the numbers themselves, row after row.
type foldGroup struct {
	key  string
	lits []string // len(lits) == fields+1
	vals []fnum   // rows*fields numbers
	rows int
}

func newFoldGroup(key string, fields int) *foldGroup {
	return &foldGroup{key: key, lits: strings.Split(key, string(rune(fieldMark)))[:fields+1]}
}

// fnum is the text of a number in a name, read as value and width.
type fnum struct {
	v      uint64
	width  int
	padded bool // a leading zero: the text is exactly width digits
}

// fold appends the folded texts of the group to texts.
func (g *foldGroup) fold(texts []string) []string {
	k := len(g.lits) - 1
	row := func(r int) []fnum { return g.vals[r*k : (r+1)*k] }
	// Numbers equal in every row join the literal text around them.
	lits := []string{g.lits[0]}
	var varying []int
	for f := 0; f < k; f++ {
		constant := true
		first := g.vals[f]
		for r := 1; r < g.rows && constant; r++ {
			constant = row(r)[f] == first
		}
		if constant {
			lits[len(lits)-1] += numText(first) + g.lits[f+1]
			continue
		}
		varying = append(varying, f)
		lits = append(lits, g.lits[f+1])
	}
	if len(varying) == 0 {
		return append(texts, lits[0])
	}
	// Fold along varying fields right to left. An item is a representative
	// row and the text of the fields already folded.
	type foldItem struct {
		row  int
		tail string
	}
	items := make([]foldItem, g.rows)
	for r := range items {
		items[r] = foldItem{row: r}
	}
	var key []byte
	for i := len(varying) - 1; i >= 0; i-- {
		index := map[string]int{}
		var next []foldItem
		var sizes []int
		groupOf := make([]int, len(items))
		for j, it := range items {
			key = key[:0]
			for _, f := range varying[:i] {
				key = appendFnumKey(key, row(it.row)[f])
			}
			key = append(key, it.tail...)
			gi, ok := index[string(key)]
			if !ok {
				gi = len(next)
				index[string(key)] = gi
				next = append(next, it)
				sizes = append(sizes, 0)
			}
			groupOf[j] = gi
			sizes[gi]++
		}
		members := make([][]fnum, len(next))
		for gi, n := range sizes {
			members[gi] = make([]fnum, 0, n)
		}
		for j, it := range items {
			members[groupOf[j]] = append(members[groupOf[j]], row(it.row)[varying[i]])
		}
		for gi := range next {
			next[gi].tail = rangeText(members[gi]) + lits[i+1] + next[gi].tail
		}
		items = next
	}
	for _, it := range items {
		texts = append(texts, lits[0]+it.tail)
	}
	return texts
}

// appendFnumKey appends a fixed-size encoding of f for map keys.
func appendFnumKey(key []byte, f fnum) []byte {
	for s := 0; s < 64; s += 8 {
		key = append(key, byte(f.v>>s))
	}
	w := byte(f.width)
	if f.padded {
		w |= 0x80
	}
	return append(key, w)
}

// rangeText writes numbers (sorted in place) as one number or a bracketed
// range set.
func rangeText(nums []fnum) string {
	nums = sortFnums(nums)
	if len(nums) == 1 {
		return numText(nums[0])
	}
	return "[" + formatRanges(nums) + "]"
}

// packShift places the class of a number above its value in a sort key.
const packShift = 59

// sortFnums sorts numbers by cmpFnum and drops repeats. Where every value
// fits, it sorts packed uint64 keys, several times faster than a
// comparison function.
func sortFnums(nums []fnum) []fnum {
	keys := make([]uint64, len(nums))
	for i, f := range nums {
		if f.v >= 1<<packShift {
			slices.SortFunc(nums, cmpFnum)
			return slices.Compact(nums)
		}
		keys[i] = uint64(f.class())<<packShift | f.v
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	nums = nums[:len(keys)]
	for i, k := range keys {
		v, class := k&(1<<packShift-1), int(k>>packShift)
		if class == 0 {
			nums[i] = fnum{v: v, width: numDigits(v)}
		} else {
			nums[i] = fnum{v: v, width: class, padded: true}
		}
	}
	return nums
}

// cmpFnum orders unpadded numbers first, then padded ones by width, each
// class by value.
func cmpFnum(a, b fnum) int {
	ca, cb := a.class(), b.class()
	if ca != cb {
		return ca - cb
	}
	switch {
	case a.v < b.v:
		return -1
	case a.v > b.v:
		return 1
	}
	return 0
}

// class is 0 for unpadded numbers, else the padded width.
func (f fnum) class() int {
	if f.padded {
		return f.width
	}
	return 0
}

// numText writes f back as it appeared.
func numText(f fnum) string {
	s := strconv.FormatUint(f.v, 10)
	if f.padded {
		s = strings.Repeat("0", f.width-len(s)) + s
	}
	return s
}

// run is a range lo-hi whose numbers are padded to pad digits.
type run struct {
	lo, hi uint64
	pad    int
}

// formatRanges writes distinct numbers, sorted by cmpFnum, as a range set.
// A padded run ending just below a power of ten continues into unpadded
// numbers of the same width ("0998-1000").
func formatRanges(nums []fnum) string {
	split := 0
	for split < len(nums) && !nums[split].padded {
		split++
	}
	plain, padded := nums[:split], nums[split:]
	used := make([]bool, len(plain))
	var runs []run
	for i := 0; i < len(padded); {
		r := run{lo: padded[i].v, hi: padded[i].v, pad: padded[i].width}
		j := i + 1
		for j < len(padded) && padded[j].width == r.pad && padded[j].v == r.hi+1 {
			r.hi = padded[j].v
			j++
		}
		if j == len(padded) || padded[j].width != r.pad {
			// Last run of this width: may continue into unpadded numbers.
			r.hi = extendIntoPlain(r.hi, r.pad, plain, used)
		}
		runs = append(runs, r)
		i = j
	}
	for i := 0; i < len(plain); {
		if used[i] {
			i++
			continue
		}
		r := run{lo: plain[i].v, hi: plain[i].v}
		j := i + 1
		for j < len(plain) && !used[j] && plain[j].v == r.hi+1 {
			r.hi = plain[j].v
			j++
		}
		runs = append(runs, r)
		i = j
	}
	slices.SortFunc(runs, func(a, b run) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return a.pad - b.pad
	})
	var sb strings.Builder
	var buf []byte
	for i, r := range runs {
		if i > 0 {
			sb.WriteByte(',')
		}
		buf = appendElem(buf[:0], elem{v: r.lo, pad: r.pad})
		if r.hi != r.lo {
			buf = append(buf, '-')
			buf = appendElem(buf, elem{v: r.hi, pad: r.pad})
		}
		sb.Write(buf)
	}
	return sb.String()
}

// extendIntoPlain continues a padded run ending at hi through consecutive
// unused unpadded numbers at least pad digits long, marking them used, and
// returns the new end.
func extendIntoPlain(hi uint64, pad int, plain []fnum, used []bool) uint64 {
	if numDigits(hi+1) < pad {
		return hi
	}
	i, found := slices.BinarySearchFunc(plain, hi+1, func(f fnum, v uint64) int {
		switch {
		case f.v < v:
			return -1
		case f.v > v:
			return 1
		}
		return 0
	})
	if !found {
		return hi
	}
	for ; i < len(plain) && !used[i] && plain[i].v == hi+1; i++ {
		used[i] = true
		hi++
	}
	return hi
}
