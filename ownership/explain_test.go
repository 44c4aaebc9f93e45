package ownership

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestExplain(t *testing.T) {
	m := testMatcher(t)
	e := m.Explain("cache0001.dc1.example.org", "puppet", checks.Critical)
	if e.Winner != 5 || e.Rules[e.Winner].ID != "puppet-everywhere" || e.Owner.Team != "foundations" {
		t.Fatalf("winner %d, owner %+v; want puppet-everywhere (5), foundations", e.Winner, e.Owner)
	}
	if got := e.WinnerPos(); got != (Pos{"testdata/owners.yaml", 38, 5}) {
		t.Errorf("WinnerPos = %v", got)
	}
	wantMatched := []bool{false, true, false, false, false, true, false, false, false, false}
	for i, r := range e.Rules {
		if r.Matched != wantMatched[i] {
			t.Errorf("rule %s matched = %v, want %v (reason %q)", r.ID, r.Matched, wantMatched[i], r.Reason)
		}
		if r.Matched != (r.Reason == "") {
			t.Errorf("rule %s: matched %v with reason %q", r.ID, r.Matched, r.Reason)
		}
	}
	if got, want := e.Rules[0].Reason, "host not selected by 'role=web'"; got != want {
		t.Errorf("reason of web = %q, want %q", got, want)
	}
	if got, want := e.Rules[6].Reason, "check puppet not in [disk, sys*]"; got != want {
		t.Errorf("reason of storage-disks = %q, want %q", got, want)
	}
	if got, want := e.Rules[3].Reason, "host not selected by 'db0001.dc1.example.org'; check puppet not in [disk]"; got != want {
		t.Errorf("reason of db-disk = %q, want %q", got, want)
	}
	if none := m.Explain("misc0001.dc1.example.org", "load", checks.Critical); none.Winner != -1 || none.WinnerPos() != (Pos{}) || !none.Owner.Unowned {
		t.Errorf("misc load: winner %d, owner %+v; want none, unowned", none.Winner, none.Owner)
	}
}

func TestWriteExplainGolden(t *testing.T) {
	m := testMatcher(t)
	cases := []struct {
		host, check string
		status      checks.Status
	}{
		{"cache0001.dc1.example.org", "disk", checks.Critical},
		{"web0002.dc1.example.org", "puppet", checks.Warning},
		{"old0001.dc1.example.org", "disk", checks.Unreachable},
		{"misc0001.dc1.example.org", "", checks.Critical},
		{"d1.example.org", "ntp", checks.Unknown},
	}
	var buf bytes.Buffer
	for _, c := range cases {
		if err := WriteExplain(&buf, m.Explain(c.host, c.check, c.status)); err != nil {
			t.Fatal(err)
		}
		buf.WriteString("\n")
	}
	golden(t, "explain.golden", buf.Bytes())
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
