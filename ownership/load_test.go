package ownership

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		file string
		line int
		col  int
		msg  string
	}{
		{"empty.yaml", 1, 1, "empty owners file: expected a mapping with fallback, teams and rules"},
		{"comment-only.yaml", 1, 1, "empty owners file: expected a mapping with fallback, teams and rules"},
		{"not-mapping.yaml", 1, 1, "owners file: expected a mapping, found a list"},
		{"unknown-top-key.yaml", 4, 1, `unknown key "rule" in the owners file (did you mean "rules"?)`},
		{"unknown-team-key.yaml", 5, 5, `unknown key "mail" in team triage (did you mean "email"?)`},
		{"unknown-rule-key.yaml", 6, 5, `unknown key "host" in rule "web" (did you mean "hosts"?)`},
		{"missing-fallback.yaml", 1, 1, "missing fallback: the team that gets what no rule owns (e.g. fallback: infra-triage)"},
		{"unknown-fallback.yaml", 1, 11, `fallback: unknown team "triage"; expected one of traffic`},
		{"unknown-owner.yaml", 7, 12, `rule "web": owner: unknown team "trafic" (did you mean "traffic"?)`},
		{"unknown-product-owner.yaml", 7, 20, `rule "web": product_owner: unknown team "web-product"; expected one of triage`},
		{"unknown-also-notify.yaml", 8, 29, `rule "web": also_notify: unknown team "secuirty" (did you mean "security"?)`},
		{"duplicate-id.yaml", 9, 9, `duplicate rule id "web" (first at testdata/bad/duplicate-id.yaml:5)`},
		{"missing-id.yaml", 7, 5, "rule #2: missing id (a unique name for the rule)"},
		{"missing-owner.yaml", 5, 5, `rule "web": missing owner (a team, or null for explicitly unowned)`},
		{"bad-duration.yaml", 5, 21, `team triage: sla.critical: bad duration "4hours": unknown unit "hours"; expected ns, us, ms, s, m, h, d or w`},
		{"bad-default-duration.yaml", 4, 12, `sla.warning: bad duration "-3d": expected a number and a unit such as 90s, 15m, 1h or 7d`},
		{"bad-sla-key.yaml", 4, 25, `unknown key "warn" in team triage: sla (did you mean "warning"?)`},
		{"chat-both.yaml", 4, 11, "team triage: chat: expected exactly one of webhook_file or webhook_env (the secret stays out of this file)"},
		{"chat-url.yaml", 4, 12, `unknown key "url" in team triage: chat; expected one of webhook_file, webhook_env`},
		{"bad-glob.yaml", 6, 20, `rule "web": checks: bad glob "sys[": syntax error in pattern`},
		{"rules-not-list.yaml", 5, 3, "rules: expected a list of rules, found a mapping"},
		{"duplicate-team.yaml", 5, 3, `teams: key "triage" repeated (first at line 3, column 3)`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			_, err := Load(path)
			var pe *posfile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Load(%s) = %v, want a *posfile.Error", path, err)
			}
			if pe.File != path || pe.Line != tt.line || pe.Col != tt.col || pe.Msg != tt.msg {
				t.Errorf("Load(%s) error at %s:%d:%d %q\nwant %s:%d:%d %q", path, pe.File, pe.Line, pe.Col, pe.Msg, path, tt.line, tt.col, tt.msg)
			}
		})
	}
}

func TestLoadYAMLSyntaxError(t *testing.T) {
	path := filepath.Join("testdata", "bad", "bad-yaml.yaml")
	_, err := Load(path)
	var pe *posfile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("Load = %v, want a *posfile.Error", err)
	}
	if pe.File != path || pe.Line < 2 || pe.Line > 4 || !strings.HasPrefix(pe.Msg, "invalid YAML: ") {
		t.Errorf("Load = %q, want invalid YAML at line 2 to 4", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "no-such-file.yaml"))
	if err == nil || !strings.Contains(err.Error(), "no-such-file.yaml") {
		t.Fatalf("Load = %v, want an error naming the file", err)
	}
}

func TestLoadValid(t *testing.T) {
	f, err := Load(filepath.Join("testdata", "owners.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Fallback != "infra-triage" {
		t.Errorf("Fallback = %q", f.Fallback)
	}
	if want := (SLA{Critical: 8 * time.Hour, Warning: 5 * 24 * time.Hour, Unreachable: 2 * time.Hour}); f.SLA != want {
		t.Errorf("SLA = %+v, want %+v", f.SLA, want)
	}
	var names []string
	for _, tm := range f.Teams {
		names = append(names, tm.Name)
	}
	if got, want := strings.Join(names, ","), "traffic,storage,foundations,web-product,security,infra-triage,ghosts"; got != want {
		t.Errorf("teams = %s, want %s", got, want)
	}
	traffic, ok := f.Team("traffic")
	if !ok {
		t.Fatal("no team traffic")
	}
	wantTraffic := Team{
		Name:       "traffic",
		Contact:    "traffic@example.org",
		Chat:       Chat{WebhookFile: filepath.Join("testdata", "traffic.hook")},
		Escalation: []string{"oncall-traffic", "traffic-leads"},
		SLA:        SLA{Critical: 4 * time.Hour, Warning: 3 * 24 * time.Hour},
		Pos:        Pos{File: f.Path, Line: 5, Col: 3},
	}
	if got, want := teamString(traffic), teamString(wantTraffic); got != want {
		t.Errorf("traffic = %s\nwant %s", got, want)
	}
	if tm, _ := f.Team("foundations"); tm.Chat != (Chat{WebhookEnv: "FOUNDATIONS_HOOK"}) {
		t.Errorf("foundations chat = %+v", tm.Chat)
	}
	if tm, _ := f.Team("infra-triage"); tm.Chat.WebhookFile != "/etc/fleetcheck/triage.hook" {
		t.Errorf("absolute webhook_file changed to %q", tm.Chat.WebhookFile)
	}
	if _, ok := f.Team("nobody"); ok {
		t.Error("Team(nobody) found")
	}
	var ids []string
	for _, r := range f.Rules {
		ids = append(ids, r.ID)
	}
	if got, want := strings.Join(ids, ","), "web,caches,early-mixed,db-disk,dc2-all,puppet-everywhere,storage-disks,canary-web,retired,nowhere"; got != want {
		t.Errorf("rules = %s, want %s", got, want)
	}
	web := f.Rules[0]
	if web.Hosts != "role=web" || web.Owner != "traffic" || web.ProductOwner != "web-product" || web.Unowned || web.AllHosts() {
		t.Errorf("rule web = %+v", web)
	}
	if web.Pos != (Pos{f.Path, 20, 5}) || web.HostsPos != (Pos{f.Path, 21, 12}) {
		t.Errorf("rule web at %v, hosts at %v", web.Pos, web.HostsPos)
	}
	pe := f.Rules[5]
	if !pe.AllHosts() || pe.Hosts != "all" || strings.Join(pe.Checks, ",") != "puppet" {
		t.Errorf("rule puppet-everywhere = %+v", pe)
	}
	sd := f.Rules[6]
	if strings.Join(sd.Checks, ",") != "disk,sys*" || strings.Join(sd.AlsoNotify, ",") != "security,traffic" {
		t.Errorf("rule storage-disks = %+v", sd)
	}
	if r := f.Rules[8]; !r.Unowned || r.Owner != "" {
		t.Errorf("rule retired = %+v, want Unowned", r)
	}
}

// teamString renders every field of a team for comparison.
func teamString(t Team) string {
	return strings.Join([]string{t.Name, t.Contact, t.Email, t.Chat.WebhookFile, t.Chat.WebhookEnv,
		strings.Join(t.Escalation, "|"), t.SLA.Critical.String(), t.SLA.Warning.String(),
		t.SLA.Unknown.String(), t.SLA.Unreachable.String(), t.Pos.String()}, " ")
}

func TestParseRulesWithoutQueries(t *testing.T) {
	src := `
fallback: triage
teams:
  triage: {contact: t@example.org}
  ops: {contact: o@example.org}
rules:
  - id: everything
    owner: ops
  - id: all-explicit
    hosts: all
    checks: disk
    owner: triage
  - id: null-hosts
    hosts:
    owner: ~
`
	f, err := Parse("inline.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rules) != 3 {
		t.Fatalf("%d rules, want 3", len(f.Rules))
	}
	for _, r := range f.Rules {
		if !r.AllHosts() || r.Hosts != "all" {
			t.Errorf("rule %s: AllHosts %v Hosts %q, want all", r.ID, r.AllHosts(), r.Hosts)
		}
	}
	if strings.Join(f.Rules[1].Checks, ",") != "disk" {
		t.Errorf("scalar checks = %v, want [disk]", f.Rules[1].Checks)
	}
	if !f.Rules[2].Unowned {
		t.Error("owner: ~ is not Unowned")
	}
}

func TestParseAnchorsAndFlowRules(t *testing.T) {
	src := `fallback: triage
teams:
  triage: &base {contact: t@example.org, sla: {critical: 2h}}
  ops: *base
rules:
  - {id: web, hosts: "role=web", owner: ops, also_notify: [triage, triage]}
`
	f, err := Parse("flow.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ops, ok := f.Team("ops")
	if !ok || ops.Contact != "t@example.org" || ops.SLA.Critical != 2*time.Hour || ops.Pos != (Pos{"flow.yaml", 4, 3}) {
		t.Errorf("ops = %+v, want the anchored team at flow.yaml:4:3", ops)
	}
	r := f.Rules[0]
	if r.Hosts != "role=web" || r.HostsPos != (Pos{"flow.yaml", 6, 22}) || strings.Join(r.AlsoNotify, ",") != "triage" {
		t.Errorf("rule = %+v, want hosts role=web at 6:22, also_notify deduplicated", r)
	}
}
