package ownership

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"testing"
)

func TestLintChecks(t *testing.T) {
	f, err := Parse("owners.yaml", []byte("fallback: t\nteams: {t: {contact: x}}\nrules:\n"+
		"  - {id: typo, checks: [pupet], owner: t}\n  - {id: glob, checks: ['dis*', 'nagios-*'], owner: t}\n  - {id: ok, checks: [disk], owner: t}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := f.LintChecks([]string{"disk", "puppet"})
	if len(got) != 2 {
		t.Fatalf("findings %v, want pupet and nagios-*", got)
	}
	if want := `owners.yaml:4:5: error: rule typo names check "pupet", which does not exist (did you mean "puppet"?)`; got[0].String() != want {
		t.Errorf("got %q, want %q", got[0], want)
	}
	if !strings.Contains(got[1].Msg, `"nagios-*"`) {
		t.Errorf("got %q, want the glob that matches nothing", got[1])
	}
}

// LintAll merges Lint's and LintChecks' findings in position order; only
// an error-severity finding makes HasErrors true.
func TestLintAll(t *testing.T) {
	f := testMatcher(t).File()
	lint, err := f.Lint(context.Background(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	if HasErrors(lint) {
		t.Fatalf("testdata/owners.yaml has error findings already: %v", lint)
	}
	all, err := f.LintAll(context.Background(), testEnv(t), []string{"nothing"})
	if err != nil {
		t.Fatal(err)
	}
	extra := f.LintChecks([]string{"nothing"})
	if len(extra) == 0 || len(all) != len(lint)+len(extra) {
		t.Fatalf("LintAll gave %d findings, want Lint's %d plus LintChecks' %d", len(all), len(lint), len(extra))
	}
	if !slices.IsSortedFunc(all, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	}) {
		t.Errorf("LintAll findings out of position order: %v", all)
	}
	if !HasErrors(all) {
		t.Errorf("rules naming checks that do not exist: HasErrors false, want true (%v)", extra)
	}
}
