package report

import (
	"strconv"
	"strings"
)

// rangeDash joins the ends of a range of numbers: "2d–5d".
const rangeDash = "–"

// numSlot stands for a number in a summary's shape; summaries cannot hold it
// (sanitize turns control characters into "?").
const numSlot = "\x00"

// number is one number of a summary: its text and its value, in seconds
// for durations.
type number struct {
	text  string
	value float64
}

// numberRange is the smallest and largest number seen in one slot.
type numberRange struct{ lo, hi number }

// mergeNumbers folds summaries that differ only in their numbers (ages,
// percentages, counts) into one sub-row whose numbers that vary show as a
// range, "last run 2d–5d ago". It works on any check's text: a summary
// without numbers, or whose words differ, stays as it is.
func mergeNumbers(bySummary map[string][]string) []subRow {
	type merged struct {
		ranges []numberRange
		hosts  []string
	}
	byShape := map[string]*merged{}
	var shapes []string
	for s, hosts := range bySummary {
		shape, nums := summaryShape(s)
		m := byShape[shape]
		if m == nil {
			m = &merged{ranges: make([]numberRange, len(nums))}
			for i, n := range nums {
				m.ranges[i] = numberRange{n, n}
			}
			byShape[shape] = m
			shapes = append(shapes, shape)
		}
		for i, n := range nums {
			r := &m.ranges[i]
			if n.value < r.lo.value || (n.value == r.lo.value && n.text < r.lo.text) {
				r.lo = n
			}
			if n.value > r.hi.value || (n.value == r.hi.value && n.text > r.hi.text) {
				r.hi = n
			}
		}
		m.hosts = append(m.hosts, hosts...)
	}
	subs := make([]subRow, 0, len(shapes))
	for _, shape := range shapes {
		m := byShape[shape]
		parts := strings.Split(shape, numSlot)
		var b strings.Builder
		for i, p := range parts {
			b.WriteString(p)
			if i < len(m.ranges) {
				r := m.ranges[i]
				b.WriteString(r.lo.text)
				if r.hi.text != r.lo.text {
					b.WriteString(rangeDash + r.hi.text)
				}
			}
		}
		subs = append(subs, subRow{hosts: m.hosts, summary: b.String()})
	}
	return subs
}

// summaryShape replaces every number of s that stands as a word of its own
// (delimited by blanks, brackets, quotes, commas or semicolons, a trailing
// colon or full stop aside) by numSlot, and returns the numbers in order.
// Numbers inside names ("web0013", "6.1.0-18", "169.254.169.254",
// "08:00") are part of the words.
func summaryShape(s string) (string, []number) {
	var b strings.Builder
	var nums []number
	for i := 0; i < len(s); {
		if isWordDelim(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i
		for j < len(s) && !isWordDelim(s[j]) {
			j++
		}
		word, tail := s[i:j], ""
		if n := len(word); n > 1 && (word[n-1] == ':' || word[n-1] == '.') {
			word, tail = word[:n-1], word[n-1:]
		}
		if v, ok := parseNumberWord(word); ok {
			b.WriteString(numSlot)
			nums = append(nums, number{text: word, value: v})
		} else {
			b.WriteString(word)
		}
		b.WriteString(tail)
		i = j
	}
	return b.String(), nums
}

// isWordDelim reports whether c ends a word for summaryShape.
func isWordDelim(c byte) bool {
	switch c {
	case ' ', '\t', '(', ')', '[', ']', '"', '\'', ',', ';', '=':
		return true
	}
	return false
}

// durationUnits are the units of a duration word ("2h5m", "234.57ms"),
// longest first where one is a prefix of another, with their seconds.
var durationUnits = []struct {
	name    string
	seconds float64
}{{"ms", 1e-3}, {"us", 1e-6}, {"µs", 1e-6}, {"ns", 1e-9}, {"w", 604800}, {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}}

// parseNumberWord reads a word that is a number: "42", "-0.5", "97%", or
// a duration of one or more parts ("3d", "2h5m", "234.57ms").
func parseNumberWord(w string) (float64, bool) {
	num, rest := leadingNumber(w)
	if num == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, false
	}
	if rest == "" || rest == "%" {
		return v, true
	}
	sign := 1.0
	if v < 0 {
		sign, v = -1, -v
	}
	total := 0.0
	for {
		unit := -1
		for i, u := range durationUnits {
			if strings.HasPrefix(rest, u.name) {
				unit = i
				break
			}
		}
		if unit < 0 {
			return 0, false
		}
		total += v * durationUnits[unit].seconds
		rest = rest[len(durationUnits[unit].name):]
		if rest == "" {
			return sign * total, true
		}
		num, rest = leadingNumber(rest)
		if num == "" || num[0] == '-' || num[0] == '+' {
			return 0, false
		}
		if v, err = strconv.ParseFloat(num, 64); err != nil {
			return 0, false
		}
	}
}

// leadingNumber splits w into a leading decimal number (optional sign,
// digits, optional fraction) and the rest; num is "" when w does not start
// with one.
func leadingNumber(w string) (num, rest string) {
	i := 0
	if i < len(w) && (w[i] == '-' || w[i] == '+') {
		i++
	}
	digits := i
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if i == digits {
		return "", w
	}
	if i+1 < len(w) && w[i] == '.' && w[i+1] >= '0' && w[i+1] <= '9' {
		i++
		for i < len(w) && w[i] >= '0' && w[i] <= '9' {
			i++
		}
	}
	return w[:i], w[i:]
}
