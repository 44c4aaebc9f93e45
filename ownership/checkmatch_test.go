package ownership

import "testing"

func TestCheckMatcher(t *testing.T) {
	tests := []struct {
		entries []string
		check   string
		want    bool
	}{
		{nil, "disk", true},
		{nil, "", true},
		{[]string{"disk", "systemd"}, "disk", true},
		{[]string{"disk", "systemd"}, "puppet", false},
		{[]string{"disk", "systemd"}, "", false},
		{[]string{"sys*"}, "systemd", true},
		{[]string{"sys*"}, "disk", false},
		{[]string{"nginx-?"}, "nginx-1", true},
		{[]string{"nginx-?"}, "nginx-10", false},
		{[]string{"[dn]isk"}, "nisk", true},
	}
	for _, tt := range tests {
		m := newCheckMatcher(tt.entries)
		if got := m.match(tt.check); got != tt.want {
			t.Errorf("%v.match(%q) = %v, want %v", tt.entries, tt.check, got, tt.want)
		}
	}
}

func TestCheckMatcherCovers(t *testing.T) {
	tests := []struct {
		outer, inner []string
		want         bool
	}{
		{nil, []string{"disk"}, true},
		{nil, nil, true},
		{[]string{"disk"}, nil, false},
		{[]string{"disk", "puppet"}, []string{"disk"}, true},
		{[]string{"disk"}, []string{"disk", "puppet"}, false},
		{[]string{"sys*"}, []string{"systemd"}, true},
		{[]string{"sys*"}, []string{"sys*"}, true},
		{[]string{"*"}, []string{"sys*"}, true},
		{[]string{"systemd"}, []string{"sys*"}, false},
		{[]string{"s*"}, []string{"sys*"}, false}, // conservative
	}
	for _, tt := range tests {
		outer, inner := newCheckMatcher(tt.outer), newCheckMatcher(tt.inner)
		if got := outer.covers(&inner); got != tt.want {
			t.Errorf("%v covers %v = %v, want %v", tt.outer, tt.inner, got, tt.want)
		}
	}
}

func TestBitset(t *testing.T) {
	b := newBitset(10)
	for _, i := range []int{0, 3, 63, 64, 200} {
		b.set(i)
	}
	for i := 0; i < 260; i++ {
		want := i == 0 || i == 3 || i == 63 || i == 64 || i == 200
		if b.has(i) != want {
			t.Errorf("has(%d) = %v, want %v", i, !want, want)
		}
	}
	if b.count() != 5 {
		t.Errorf("count = %d, want 5", b.count())
	}
	var u bitset
	u.set(3)
	u.set(64)
	if !u.subsetOf(b) || b.subsetOf(u) {
		t.Error("subsetOf wrong")
	}
	u.set(500)
	if u.subsetOf(b) {
		t.Error("{3,64,500} subset of b")
	}
	var v bitset
	v.set(1)
	if !v.orMasked(b, b) || !b.subsetOf(v) || v.count() != 6 {
		t.Errorf("orMasked(b, b): count %d, want 6", v.count())
	}
	if v.orMasked(b, b) {
		t.Error("orMasked reported new members twice")
	}
	var w bitset
	mask := newBitset(64)
	mask.set(3)
	mask.set(5)
	if !w.orMasked(b, mask) || w.count() != 1 || !w.has(3) {
		t.Errorf("orMasked(b, {3,5}) = count %d, want {3}", w.count())
	}
}
