package nodeset

// termPattern is one name pattern: lits[0] groups[0] lits[1] ... lits[n].
type termPattern struct {
	lits   []string
	groups [][]elem
}

// expand generates the cartesian product of the groups, the last group
// varying fastest. All names share one backing string. at is the term's
// offset in the pattern, for errors.
func (t termPattern) expand(at, limit int) ([]string, error) {
	if len(t.groups) == 0 {
		return []string{t.lits[0]}, nil
	}
	total := 1
	litLen := 0
	for _, l := range t.lits {
		litLen += len(l)
	}
	for _, g := range t.groups {
		if total > limit/len(g) {
			return nil, errAt(at, "node set expands to more than %d names", limit)
		}
		total *= len(g)
	}
	buf := make([]byte, 0, total*(litLen+4*len(t.groups)))
	ends := make([]int, total)
	if len(t.groups) == 1 {
		pre, post := t.lits[0], t.lits[1]
		for i, e := range t.groups[0] {
			buf = append(buf, pre...)
			buf = appendElem(buf, e)
			buf = append(buf, post...)
			ends[i] = len(buf)
		}
	} else {
		idx := make([]int, len(t.groups))
		for i := range total {
			buf = append(buf, t.lits[0]...)
			for j, g := range t.groups {
				buf = appendElem(buf, g[idx[j]])
				buf = append(buf, t.lits[j+1]...)
			}
			ends[i] = len(buf)
			for j := len(idx) - 1; j >= 0; j-- {
				idx[j]++
				if idx[j] < len(t.groups[j]) {
					break
				}
				idx[j] = 0
			}
		}
	}
	all := string(buf)
	out := make([]string, total)
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	if t.mayCollide() {
		out = dedup(out)
	}
	return out, nil
}

// mayCollide reports whether two combinations could spell the same name:
// only when a literal between two groups is empty or starts with a digit
// ("[1,12][2,22]" gives "122" twice).
func (t termPattern) mayCollide() bool {
	for _, l := range t.lits[1 : len(t.lits)-1] {
		if l == "" || isDigit(l[0]) {
			return true
		}
	}
	return false
}

// dedup drops later repeats, keeping first-appearance order.
func dedup(names []string) []string {
	seen := make(map[string]struct{}, len(names))
	out := names[:0]
	for _, n := range names {
		if _, dup := seen[n]; dup {
			continue
		}
		seen[n] = struct{}{}
		out = append(out, n)
	}
	return out
}
