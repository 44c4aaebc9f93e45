package nodeset

import (
	"slices"
	"strconv"
	"strings"
)

// Fold returns the shortest node-set text for names (order and duplicates
// do not matter), e.g. "web[0001-0003,0007].dc1.example.org".
//
// Names are grouped by everything but their last run of digits, which
// becomes a range set; texts stay exact ("01" and "1" are different
// names). Where an earlier number varies too, groups whose range sets are
// equal fold along it as well ("rack[1-2]-node[01-04]"); otherwise they are
// listed as separate elements. The result is sorted and deterministic. A
// name holding a character the syntax reserves (",!&^[]", blanks, control
// characters) is written as it is and cannot be expanded back.
func Fold(names []string) string {
	if len(names) == 0 {
		return ""
	}
	var items []item
	groups := map[groupKey]*foldGroup{}
	var order []*foldGroup
	var last *foldGroup
	for _, n := range names {
		k, num, ok := splitLastNumber(n)
		if !ok {
			items = append(items, item{tail: n})
			continue
		}
		g := last
		if g == nil || g.key != k {
			g = groups[k]
			if g == nil {
				g = &foldGroup{key: k}
				groups[k] = g
				order = append(order, g)
			}
			last = g
		}
		g.nums = append(g.nums, num)
	}
	for _, g := range order {
		items = append(items, g.fold())
	}
	items = mergeOuter(items)
	texts := make([]string, 0, len(items))
	for _, it := range items {
		texts = append(texts, it.head+it.tail)
	}
	slices.Sort(texts)
	texts = slices.Compact(texts)
	return strings.Join(texts, ",")
}

// groupKey is a name without its last number.
type groupKey struct{ prefix, suffix string }

// foldGroup collects the last numbers of names sharing a groupKey.
type foldGroup struct {
	key  groupKey
	nums []fnum
}

// fnum is the text of a number in a name, read as value and width.
type fnum struct {
	v      uint64
	width  int
	padded bool // a leading zero: the text is exactly width digits
}

// item is one element of a folded node set, head+tail. Numbers in head
// may still fold with other items'; tail is settled.
type item struct{ head, tail string }

// splitLastNumber splits a name around its last run of digits. ok is false
// for names without one, with a run too long to count, or with a reserved
// character.
func splitLastNumber(n string) (groupKey, fnum, bool) {
	for i := 0; i < len(n); i++ {
		if reserved(n[i]) {
			return groupKey{}, fnum{}, false
		}
	}
	return splitDigits(n)
}

// splitDigits splits s around its last run of digits, which must be
// short enough to count.
func splitDigits(s string) (groupKey, fnum, bool) {
	end := len(s)
	for end > 0 && !isDigit(s[end-1]) {
		end--
	}
	start := end
	for start > 0 && isDigit(s[start-1]) {
		start--
	}
	text := s[start:end]
	if text == "" || len(text) > maxDigits {
		return groupKey{}, fnum{}, false
	}
	f := fnum{v: parseDigits(text), width: len(text), padded: padOf(text) > 0}
	return groupKey{prefix: s[:start], suffix: s[end:]}, f, true
}

// reserved reports whether c cannot appear in a node name.
func reserved(c byte) bool {
	return isOp(c) || c == '[' || c == ']' || c <= ' ' || c == 0x7f
}

// fold turns the group into one item: a plain name when it holds one
// number, else prefix[ranges]suffix.
func (g *foldGroup) fold() item {
	return foldNums(g.key, g.nums)
}

// foldNums builds the item for key with numbers nums (sorted in place).
func foldNums(key groupKey, nums []fnum) item {
	slices.SortFunc(nums, cmpFnum)
	nums = slices.Compact(nums)
	if len(nums) == 1 {
		return item{head: key.prefix, tail: numText(nums[0]) + key.suffix}
	}
	return item{head: key.prefix, tail: "[" + formatRanges(nums) + "]" + key.suffix}
}

// mergeOuter folds items along earlier numbers, right to left: items that
// differ only in one number of their heads (and have equal tails) become
// one item with a range set there.
func mergeOuter(items []item) []item {
	for {
		progressed := false
		out := make([]item, 0, len(items))
		groups := map[groupKey]*foldGroup{}
		var order []*foldGroup
		for _, it := range items {
			k, num, ok := splitDigits(it.head)
			if !ok {
				out = append(out, item{tail: it.head + it.tail})
				continue
			}
			progressed = true
			k.suffix += it.tail
			g := groups[k]
			if g == nil {
				g = &foldGroup{key: k}
				groups[k] = g
				order = append(order, g)
			}
			g.nums = append(g.nums, num)
		}
		if !progressed {
			return items
		}
		for _, g := range order {
			out = append(out, g.fold())
		}
		items = out
	}
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
