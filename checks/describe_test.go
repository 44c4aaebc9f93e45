package checks

import (
	"bytes"
	"strings"
	"testing"
)

func describeTestRegistry() Registry {
	return Registry{
		"zeta": {Name: "zeta", Help: "last of the list", Default: true},
		"alpha": {Name: "alpha", Help: "first of the list", Params: []Param{
			{Name: "warn", Default: "85%", Help: "WARNING at or above this use"},
			{Name: "paths", Help: "filesystems to watch"},
		}},
	}
}

func TestDescribe(t *testing.T) {
	var b bytes.Buffer
	if err := DescribeFit(&b, describeTestRegistry(), 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	rows := nonBorderLines(out)
	if len(rows) != 3 {
		t.Fatalf("want a header and 2 rows, got:\n%s", out)
	}
	for i, want := range [][]string{{"CHECK", "REPORTS", "DEFAULT"}, {"alpha", "first of the list", "no"}, {"zeta", "last of the list", "yes"}} {
		if got := tableCells(rows[i]); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("row %d = %q, want %q", i, got, want)
		}
	}
}

func TestDescribeOne(t *testing.T) {
	var b bytes.Buffer
	if err := DescribeOneFit(&b, describeTestRegistry()["alpha"], 0); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "alpha: first of the list\ndefault: no\n") {
		t.Errorf("no title lines:\n%s", out)
	}
	rows := nonBorderLines(strings.SplitN(out, "\n", 3)[2])
	want := [][]string{{"PARAMETER", "DEFAULT", "HELP"}, {"warn", "85%", "WARNING at or above this use"}, {"paths", "-", "filesystems to watch"}}
	if len(rows) != len(want) {
		t.Fatalf("want %d rows, got:\n%s", len(want), out)
	}
	for i := range want {
		if got := tableCells(rows[i]); strings.Join(got, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q, want %q", i, got, want[i])
		}
	}
	b.Reset()
	if err := DescribeOneFit(&b, describeTestRegistry()["zeta"], 0); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "zeta: last of the list\ndefault: yes\nparameters: none\n" {
		t.Errorf("no-parameter check:\n%s", got)
	}
}

func TestDescribeBuiltins(t *testing.T) {
	var b bytes.Buffer
	if err := DescribeFit(&b, Builtins(), 0); err != nil {
		t.Fatal(err)
	}
	for _, name := range Builtins().Names() {
		if !strings.Contains(b.String(), "│ "+name+" ") {
			t.Errorf("check %q missing from:\n%s", name, b.String())
		}
	}
	for _, name := range []string{"certs", "service", "http", "nagios"} {
		b.Reset()
		if err := DescribeOneFit(&b, Builtins()[name], 0); err != nil {
			t.Fatal(err)
		}
		for _, p := range Builtins()[name].Params {
			if !strings.Contains(b.String(), p.Help) {
				t.Errorf("%s: help of %q missing from:\n%s", name, p.Name, b.String())
			}
		}
	}
}

// nonBorderLines returns a rendered table's content lines (those with
// cells), skipping the box-drawing rules.
func nonBorderLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "│") {
			out = append(out, l)
		}
	}
	return out
}

// tableCells splits a table line into trimmed cells.
func tableCells(line string) []string {
	parts := strings.Split(strings.Trim(line, "│"), "│")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// TestDescribeFits: at 60 and 80 columns every line of `fleetcheck checks`
// and `fleetcheck checks NAME` fits, and every word of the help is kept.
func TestDescribeFits(t *testing.T) {
	reg := Builtins()
	for _, width := range []int{60, 80} {
		var b bytes.Buffer
		if err := DescribeFit(&b, reg, width); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, name := range reg.Names() {
			if err := DescribeOneFit(&b, reg[name], width); err != nil {
				t.Fatal(err)
			}
			want = append(want, strings.Fields(reg[name].Help)...)
			for _, p := range reg[name].Params {
				want = append(want, strings.Fields(p.Help)...)
			}
		}
		for i, line := range strings.Split(b.String(), "\n") {
			if n := len([]rune(line)); n > width {
				t.Errorf("width %d: line %d is %d wide: %q", width, i+1, n, line)
			}
		}
		for _, w := range want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("width %d: word %q lost", width, w)
			}
		}
	}
}
