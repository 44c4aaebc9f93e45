package ownership

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

func TestLint(t *testing.T) {
	m := testMatcher(t)
	f := m.File()
	findings, err := f.Lint(context.Background(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	const file = "testdata/owners.yaml"
	unowned := nodeset.Fold([]string{"db0001.dc1.example.org", "misc0001.dc1.example.org"})
	want := []string{
		file + ":18:3: warning: team ghosts is referenced by no rule nor as fallback",
		file + ":18:3: warning: team ghosts has no contact, email or chat: its failures reach nobody",
		file + ":19:1: warning: 2 inventory hosts are owned by no rule (their failures go to fallback infra-triage, flagged unowned): " + unowned,
		file + ":28:5: warning: rule early-mixed never decides: every host and check it matches is also matched by later rule dc2-all, retired (the last match wins)",
		file + ":31:5: warning: rule db-disk never decides: every host and check it matches is also matched by later rule storage-disks (the last match wins)",
		file + ":53:5: warning: rule nowhere matches no host (hosts: 'role=nothing')",
	}
	var got []string
	for _, fd := range findings {
		got = append(got, fd.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Lint findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var buf bytes.Buffer
	if err := WriteLint(&buf, findings); err != nil {
		t.Fatal(err)
	}
	if buf.String() != strings.Join(want, "\n")+"\n" {
		t.Errorf("WriteLint wrote:\n%s", buf.String())
	}
}

func TestLintFallbackWithoutContact(t *testing.T) {
	src := `fallback: triage
teams:
  triage: {}
  ops: {contact: ops@example.org}
rules:
  - id: all
    owner: ops
`
	f, err := Parse("fb.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := f.Lint(context.Background(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("findings = %v, want exactly one", findings)
	}
	want := Finding{SeverityError, Pos{"fb.yaml", 3, 3}, "fallback team triage has no contact, email or chat: unowned failures reach nobody"}
	if findings[0] != want {
		t.Errorf("finding = %v, want %v", findings[0], want)
	}
}

func TestLintAllHostsShadow(t *testing.T) {
	src := `fallback: ops
teams:
  ops: {contact: ops@example.org}
  web: {contact: web@example.org}
rules:
  - id: first
    checks: [disk]
    owner: web
  - id: catch-all
    owner: ops
`
	f, err := Parse("shadow.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := f.Lint(context.Background(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	want := "shadow.yaml:6:5: warning: rule first never decides: every host and check it matches is also matched by later rule catch-all (the last match wins)"
	if len(findings) != 1 || findings[0].String() != want {
		t.Errorf("findings = %v\nwant [%s]", findings, want)
	}
}
