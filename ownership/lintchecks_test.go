package ownership

import (
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
