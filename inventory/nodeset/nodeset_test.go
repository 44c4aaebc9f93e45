package nodeset

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

func TestExpand(t *testing.T) {
	tests := []struct {
		pattern string
		want    string // names joined by spaces
	}{
		// Plain names.
		{"", ""},
		{"db1.example.org", "db1.example.org"},
		{"web", "web"},
		{"a,b,c", "a b c"},
		{"  a , b  ", "a b"},
		{"a,b,a", "a b"},
		{"host-name_1.x", "host-name_1.x"},
		// Ranges and padding (ClusterShell's documented examples).
		{"node[1-5]", "node1 node2 node3 node4 node5"},
		{"node[1-3,5]", "node1 node2 node3 node5"},
		{"node[01-05]", "node01 node02 node03 node04 node05"},
		{"web[001-003].dc1", "web001.dc1 web002.dc1 web003.dc1"},
		{"web[0998-1001]", "web0998 web0999 web1000 web1001"},
		{"n[08-11]", "n08 n09 n10 n11"},
		{"n[98-101]", "n98 n99 n100 n101"},
		{"n[0]", "n0"},
		{"n[00]", "n00"},
		{"n[007]", "n007"},
		{"n[5-5]", "n5"},
		{"[1-3]", "1 2 3"},
		{"[1-2].example", "1.example 2.example"},
		// Lists, order and duplicates.
		{"a[1,3,5-7]", "a1 a3 a5 a6 a7"},
		{"n[3,1,2]", "n3 n1 n2"},
		{"n[1-3,2-4]", "n1 n2 n3 n4"},
		{"n[1,01,001]", "n1 n01 n001"},
		{"n[1,1,1]", "n1"},
		// Steps.
		{"node[0-10/2]", "node0 node2 node4 node6 node8 node10"},
		{"n[1-10/3]", "n1 n4 n7 n10"},
		{"n[1-10/4]", "n1 n5 n9"},
		{"n[01-10/5]", "n01 n06"},
		{"n[5-5/7]", "n5"},
		// Several groups: cartesian product, last varying fastest.
		{"rack[1-2]-node[01-02]", "rack1-node01 rack1-node02 rack2-node01 rack2-node02"},
		{"da[2-3]c[1-2]p[1-2]", "da2c1p1 da2c1p2 da2c2p1 da2c2p2 da3c1p1 da3c1p2 da3c2p1 da3c2p2"},
		{"[1-2][1-2]", "11 12 21 22"},
		{"[1,12][2,22]", "12 122 1222"},
		{"x[1-2]y", "x1y x2y"},
		// Operators, left to right.
		{"node[0-5],node[8-10]", "node0 node1 node2 node3 node4 node5 node8 node9 node10"},
		{"node[0-10]!node[3-10]", "node0 node1 node2"},
		{"node[0-10]&node[8-13]", "node8 node9 node10"},
		{"node[0-4]^node[3-6]", "node0 node1 node2 node5 node6"},
		{"a,b!a", "b"},
		{"a!a,b", "b"},
		{"a,b&b", "b"},
		{"n[1-5] ! n2 & n[1-3]", "n1 n3"},
		{"n[1-3]^n[1-3]", ""},
		{"n[1-3]!n9", "n1 n2 n3"},
		{"n1^n2^n1", "n2"},
		// Characters ClusterShell does not reserve.
		{"web*", "web*"},
		{"@group", "@group"},
		{"a:b", "a:b"},
	}
	for _, tt := range tests {
		got, err := Expand(tt.pattern)
		if err != nil {
			t.Errorf("Expand(%q): %v", tt.pattern, err)
			continue
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("Expand(%q) = %q, want %q", tt.pattern, s, tt.want)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{"a[1-", `nodeset:1:5: expected a digit in a range set, found the end of the node set`},
		{"a[", `nodeset:1:3: expected a digit in a range set, found the end of the node set`},
		{"a[]", `nodeset:1:3: expected a digit in a range set, found ']'`},
		{"a[1", `nodeset:1:4: expected ',' or ']' to close the '[' at column 2, found the end of the node set`},
		{"a[1,]", `nodeset:1:5: expected a digit in a range set, found ']'`},
		{"a[x]", `nodeset:1:3: expected a digit in a range set, found 'x'`},
		{"a[1x]", `nodeset:1:4: expected a digit, '-', '/', ',' or ']' in a range set, found 'x'`},
		{"a[3-1]", `nodeset:1:3: range 3-1: start is greater than end`},
		{"a[1-10/0]", `nodeset:1:8: step must be at least 1`},
		{"a[1-10/]", `nodeset:1:8: expected a digit in a range set, found ']'`},
		{"a[01-5]", `nodeset:1:6: range 01-5: start is padded to 2 digits but end has fewer`},
		{"a[1-010]", `nodeset:1:5: range 1-010: end is padded to 3 digits but start is not`},
		{"a]", `nodeset:1:2: unexpected ']' without a matching '['`},
		{"a[[1]]", `nodeset:1:3: expected a digit in a range set, found '['`},
		{"a b", `nodeset:1:3: expected an operator (',', '!', '&', '^') or the end of the node set, found 'b'`},
		{"a,,b", `nodeset:1:3: expected a node name after ',', found ','`},
		{"a,", `nodeset:1:3: expected a node name after ',', found the end of the node set`},
		{",a", `nodeset:1:1: expected a node name, found ','`},
		{"!a", `nodeset:1:1: expected a node name, found '!'`},
		{"a!", `nodeset:1:3: expected a node name after '!', found the end of the node set`},
		{"a\x01b", `nodeset:1:2: unexpected control character '\x01' in a node name`},
		{"a[1234567890123456789]", `nodeset:1:3: number 1234567890123456789 has more than 18 digits`},
		{"a[0-99999999999]", `nodeset:1:3: range set expands to more than 10000000 numbers`},
		{"a[1-5000][1-5000]", `nodeset:1:1: node set expands to more than 10000000 names`},
	}
	for _, tt := range tests {
		got, err := Expand(tt.pattern)
		if err == nil {
			t.Errorf("Expand(%q) = %d names, want error %q", tt.pattern, len(got), tt.want)
			continue
		}
		var pe *posfile.Error
		if !errors.As(err, &pe) || pe.File != "nodeset" || pe.Line != 1 {
			t.Errorf("Expand(%q): error %T %v is not a *posfile.Error at nodeset:1", tt.pattern, err, err)
		}
		if err.Error() != tt.want {
			t.Errorf("Expand(%q) error\n got %s\nwant %s", tt.pattern, err, tt.want)
		}
		if got != nil {
			t.Errorf("Expand(%q) returned names with an error", tt.pattern)
		}
	}
}

// TestExpandLimit checks the bound on names with a small limit so that the
// test stays fast; Expand uses MaxNames the same way.
func TestExpandLimit(t *testing.T) {
	tests := []struct {
		pattern string
		want    string
	}{
		{"a[1-40],b[1-40],c[1-40]", `nodeset:1:16: node set expands to more than 100 names`},
		{"a[1-101]", `nodeset:1:3: range set expands to more than 100 numbers`},
		{"a[1-60,61-120]", `nodeset:1:8: range set expands to more than 100 numbers`},
		{"a[1-11][1-10]", `nodeset:1:1: node set expands to more than 100 names`},
	}
	for _, tt := range tests {
		_, err := expand(tt.pattern, 100)
		if err == nil || err.Error() != tt.want {
			t.Errorf("expand(%q, 100) error = %v, want %s", tt.pattern, err, tt.want)
		}
	}
	for _, ok := range []string{"a[1-100]", "a[1-50],b[1-50]", "a[1-10][1-10]", "a[1-100],a[1-100]"} {
		if names, err := expand(ok, 100); err != nil || len(names) != 100 {
			t.Errorf("expand(%q, 100) = %d names, %v; want 100 names", ok, len(names), err)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		names string // space-separated
		want  string
	}{
		{"", ""},
		{"a", "a"},
		{"web0001.dc1.example.org web0002.dc1.example.org web0003.dc1.example.org web0007.dc1.example.org", "web[0001-0003,0007].dc1.example.org"},
		{"node3 node1 node2 node2", "node[1-3]"},
		{"node1 node2 node3 node5", "node[1-3,5]"},
		{"node1", "node1"},
		{"node01 node1", "node[1,01]"},
		{"node01 node02 node1 node2", "node[1-2,01-02]"},
		{"n0998 n0999 n1000 n1001", "n[0998-1001]"},
		{"n007 n8 n9 n10", "n[007,8-10]"},
		{"n08 n09 n10 n11", "n[08-11]"},
		{"n9 n10 n11", "n[9-11]"},
		{"a b c", "a,b,c"},
		{"b a", "a,b"},
		{"web1.a web2.a web1.b", "web1.b,web[1-2].a"},
		{"rack1-node01 rack1-node02 rack2-node01 rack2-node02", "rack[1-2]-node[01-02]"},
		{"rack1-node1 rack1-node2 rack2-node1", "rack1-node[1-2],rack2-node1"},
		{"a1b1c1 a2b1c1", "a[1-2]b1c1"},
		{"da2c1p1 da2c1p2 da2c2p1 da2c2p2 da3c1p1 da3c1p2 da3c2p1 da3c2p2", "da[2-3]c[1-2]p[1-2]"},
		{"1 2 3", "[1-3]"},
		{"x1y x2y", "x[1-2]y"},
		{"n0 n2 n4", "n[0,2,4]"},
		{"n1234567890123456789 n1234567890123456788", "n1234567890123456788,n1234567890123456789"},
		{"a,b c[d", "a,b,c[d"},
		{"n999999999999999998 n999999999999999999", "n[999999999999999998-999999999999999999]"},
		{"n099999999999999998 n099999999999999999 n100000000000000000", "n[099999999999999998-100000000000000000]"},
		{"web1.dc1 web2.dc1 web1.dc2 web2.dc2 web3.dc2", "web3.dc2,web[1-2].dc[1-2]"},
		{"a01 a1 a001 a2", "a[1-2,01,001]"},
		{"n8 n007", "n[007,8]"},
		{"n07 n8 n9", "n[07,8-9]"},
	}
	for _, tt := range tests {
		var names []string
		if tt.names != "" {
			names = strings.Fields(tt.names)
		}
		if got := Fold(names); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.names, got, tt.want)
		}
	}
}

// TestFoldRoundTrip checks Expand(Fold(x)) is x as a set, and that Fold of
// an expansion gives back the canonical pattern.
func TestFoldRoundTrip(t *testing.T) {
	patterns := []string{
		"web[0001-0300].dc1.example.org",
		"rack[1-4]-node[01-16],mgmt[1-2]",
		"n[1-10/3],n[01-03],m[0998-1003]",
		"[1,12][2,22]",
		"a[1-3]b[1-3]c[1-3]!a2b2c2",
		"x1.y[1-5].z[1-2],x2.y[1-5].z[1-3]",
	}
	for _, p := range patterns {
		names, err := Expand(p)
		if err != nil {
			t.Fatalf("Expand(%q): %v", p, err)
		}
		folded := Fold(names)
		back, err := Expand(folded)
		if err != nil {
			t.Fatalf("Expand(Fold(Expand(%q))) = Expand(%q): %v", p, folded, err)
		}
		if !sameSet(names, back) {
			t.Errorf("round trip of %q via %q: got %d names, want %d", p, folded, len(back), len(names))
		}
	}
}

// sameSet reports whether a and b hold the same names.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func TestFoldLarge(t *testing.T) {
	names, err := Expand("web[000001-100000].dc1.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 100000 || names[0] != "web000001.dc1.example.org" || names[99999] != "web100000.dc1.example.org" {
		t.Fatalf("Expand: %d names, first %q, last %q", len(names), names[0], names[len(names)-1])
	}
	if got, want := Fold(names), "web[000001-100000].dc1.example.org"; got != want {
		t.Fatalf("Fold = %q, want %q", got, want)
	}
}

func BenchmarkExpand100k(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		names, err := Expand("web[000001-100000].dc1.example.org")
		if err != nil || len(names) != 100000 {
			b.Fatal(len(names), err)
		}
	}
}

func BenchmarkFold100k(b *testing.B) {
	names := make([]string, 0, 100000)
	for i := range 100000 {
		// Shuffled-ish order and a gap every 1000 names to give Fold work.
		j := (i * 7919) % 100000
		if j%1000 == 999 {
			j = 100000 + j
		}
		names = append(names, fmt.Sprintf("web%06d.dc1.example.org", j))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if s := Fold(names); s == "" {
			b.Fatal("empty fold")
		}
	}
}

func TestExpandLimitExported(t *testing.T) {
	if names, err := ExpandLimit("n[1-5]", 5); err != nil || len(names) != 5 {
		t.Errorf("ExpandLimit(n[1-5], 5) = %v, %v", names, err)
	}
	_, err := ExpandLimit("n[1-6]", 5)
	if err == nil || err.Error() != "nodeset:1:3: range set expands to more than 5 numbers" {
		t.Errorf("ExpandLimit(n[1-6], 5) error = %v", err)
	}
}
