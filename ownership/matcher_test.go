package ownership

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

func TestOwner(t *testing.T) {
	m := testMatcher(t)
	const day = 24 * time.Hour
	tests := []struct {
		name   string
		host   string
		check  string
		status checks.Status
		want   Owner
	}{
		{"host rule", "web0002.dc1.example.org", "disk", checks.Critical,
			Owner{Team: "traffic", Rule: "web", ProductOwner: "web-product", SLA: 4 * time.Hour}},
		{"check rule after host rule wins", "web0002.dc1.example.org", "puppet", checks.Warning,
			Owner{Team: "foundations", Rule: "puppet-everywhere", SLA: 5 * day}},
		{"overlapping: later dc rule beats role rule", "web0001.dc2.example.org", "disk", checks.Critical,
			Owner{Team: "storage", Rule: "dc2-all", SLA: time.Hour}},
		{"overlapping: later check rule beats dc rule", "web0001.dc2.example.org", "puppet", checks.Critical,
			Owner{Team: "foundations", Rule: "puppet-everywhere", SLA: 8 * time.Hour}},
		{"overlapping: caches then dc2", "cache0001.dc2.example.org", "load", checks.Critical,
			Owner{Team: "storage", Rule: "dc2-all", SLA: time.Hour}},
		{"check list, exact name", "cache0001.dc1.example.org", "disk", checks.Critical,
			Owner{Team: "storage", Rule: "storage-disks", AlsoNotify: []string{"security", "traffic"}, SLA: time.Hour}},
		{"check glob", "cache0001.dc1.example.org", "systemd", checks.Warning,
			Owner{Team: "storage", Rule: "storage-disks", AlsoNotify: []string{"security", "traffic"}, SLA: 5 * day}},
		{"check not in list falls to earlier rule", "cache0001.dc1.example.org", "load", checks.Warning,
			Owner{Team: "traffic", Rule: "caches", AlsoNotify: []string{"security"}, SLA: 3 * day}},
		{"UNKNOWN uses the team's unknown", "db0001.dc1.example.org", "disk", checks.Unknown,
			Owner{Team: "storage", Rule: "storage-disks", AlsoNotify: []string{"security", "traffic"}, SLA: 12 * time.Hour}},
		{"UNREACHABLE uses the default unreachable", "db0001.dc1.example.org", "disk", checks.Unreachable,
			Owner{Team: "storage", Rule: "storage-disks", AlsoNotify: []string{"security", "traffic"}, SLA: 2 * time.Hour}},
		{"host in no rule", "db0001.dc1.example.org", "ntp", checks.Critical,
			Owner{Team: "infra-triage", Unowned: true, SLA: 8 * time.Hour}},
		{"host in no rule, OK has no SLA", "misc0001.dc1.example.org", "load", checks.OK,
			Owner{Team: "infra-triage", Unowned: true}},
		{"alias rule after role rule", "web0001.dc1.example.org", "disk", checks.Critical,
			Owner{Team: "web-product", Rule: "canary-web", SLA: 8 * time.Hour}},
		{"owner null", "old0001.dc1.example.org", "disk", checks.Critical,
			Owner{Team: "infra-triage", Rule: "retired", Unowned: true, SLA: 8 * time.Hour}},
		{"owner null beats earlier check rule", "old0001.dc1.example.org", "puppet", checks.Warning,
			Owner{Team: "infra-triage", Rule: "retired", Unowned: true, SLA: 5 * day}},
		{"host outside inventory: all-hosts rule", "d1.example.org", "puppet", checks.Critical,
			Owner{Team: "foundations", Rule: "puppet-everywhere", SLA: 8 * time.Hour}},
		{"host outside inventory: nothing else", "d1.example.org", "disk", checks.Critical,
			Owner{Team: "infra-triage", Unowned: true, SLA: 8 * time.Hour}},
		{"no check given: check rules do not apply", "misc0001.dc1.example.org", "", checks.Critical,
			Owner{Team: "infra-triage", Unowned: true, SLA: 8 * time.Hour}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.Owner(tt.host, tt.check, tt.status)
			if ownerString(got) != ownerString(tt.want) {
				t.Errorf("Owner(%s, %s, %s) = %s\nwant %s", tt.host, tt.check, tt.status, ownerString(got), ownerString(tt.want))
			}
		})
	}
}

// ownerString renders every field of an Owner for comparison.
func ownerString(o Owner) string {
	var b strings.Builder
	b.WriteString("team=" + o.Team + " rule=" + o.Rule + " po=" + o.ProductOwner)
	b.WriteString(" also=[" + strings.Join(o.AlsoNotify, ",") + "] sla=" + o.SLA.String())
	if o.Unowned {
		b.WriteString(" unowned")
	}
	return b.String()
}

func TestOwnerAlsoNotifyIsACopy(t *testing.T) {
	m := testMatcher(t)
	o := m.Owner("cache0001.dc1.example.org", "disk", checks.Critical)
	o.AlsoNotify[0] = "mutated"
	if again := m.Owner("cache0001.dc1.example.org", "disk", checks.Critical); again.AlsoNotify[0] != "security" {
		t.Errorf("changing a returned AlsoNotify changed the matcher: %v", again.AlsoNotify)
	}
}

func TestCompileUnknownAlias(t *testing.T) {
	src := `fallback: triage
teams:
  triage: {contact: t@example.org}
rules:
  - id: ok
    hosts: role=web
    owner: triage
  - id: ghost-alias
    hosts: 'A:nope'
    owner: triage
`
	f, err := Parse("alias.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Compile(context.Background(), testEnv(t))
	var pe *posfile.Error
	if !errors.As(err, &pe) {
		t.Fatalf("Compile = %v, want a *posfile.Error", err)
	}
	if pe.File != "alias.yaml" || pe.Line != 9 || pe.Col != 12 || !strings.Contains(pe.Msg, `rule "ghost-alias"`) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("Compile error = %q, want alias.yaml:9:12 naming rule ghost-alias and alias nope", err)
	}
}

func TestCompileNeedsInventory(t *testing.T) {
	f, err := Parse("x.yaml", []byte("fallback: t\nteams: {t: {}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Compile(context.Background(), nil); err == nil {
		t.Error("Compile(nil env) succeeded")
	}
}

func TestCompileCancelled(t *testing.T) {
	f, err := Load("testdata/owners.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Compile(ctx, testEnv(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("Compile(cancelled) = %v, want context.Canceled", err)
	}
}

func TestLoadBadQueryPosition(t *testing.T) {
	tests := []struct {
		file   string
		line   int
		valCol int // column of the hosts: value in the file
		query  string
		quoted int // 1 when the value is quoted
	}{
		{"bad-query.yaml", 6, 12, "role=web and (dc=dc1", 1},
		{"bad-query-plain.yaml", 9, 14, "role=db and and dc=dc2", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, qerr := query.Parse(tt.query)
			var qpe *posfile.Error
			if !errors.As(qerr, &qpe) {
				t.Fatalf("query.Parse(%q) = %v, want a *posfile.Error", tt.query, qerr)
			}
			path := "testdata/bad/" + tt.file
			_, err := Load(path)
			var pe *posfile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("Load = %v, want a *posfile.Error", err)
			}
			wantCol := tt.valCol + qpe.Col - 1 + tt.quoted
			if pe.File != path || pe.Line != tt.line || pe.Col != wantCol {
				t.Errorf("Load error at %s:%d:%d, want %s:%d:%d (%v)", pe.File, pe.Line, pe.Col, path, tt.line, wantCol, err)
			}
			if !strings.Contains(pe.Msg, "bad hosts query: "+qpe.Msg) {
				t.Errorf("Load error %q does not carry the query's message %q", pe.Msg, qpe.Msg)
			}
		})
	}
}

func TestTest(t *testing.T) {
	m := testMatcher(t)
	tests := []struct {
		host, check, team string
		want              string // "" for success
	}{
		{"cache0001.dc1.example.org", "disk", "storage", ""},
		{"cache0001.dc1.example.org", "load", "traffic", ""},
		{"misc0001.dc1.example.org", "load", "infra-triage", ""},
		{"cache0001.dc1.example.org", "load", "storage",
			"cache0001.dc1.example.org check load: owned by traffic (rule caches at testdata/owners.yaml:24), expected storage"},
		{"misc0001.dc1.example.org", "", "traffic",
			"misc0001.dc1.example.org: owned by infra-triage (unowned: no rule matches, fallback team), expected traffic"},
		{"old0001.dc1.example.org", "disk", "storage",
			"old0001.dc1.example.org check disk: owned by infra-triage (unowned: rule retired at testdata/owners.yaml:50 says owner: null, fallback team), expected storage"},
	}
	for _, tt := range tests {
		err := m.Test(tt.host, tt.check, tt.team)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Test(%s, %s, %s) = %q\nwant %q", tt.host, tt.check, tt.team, got, tt.want)
		}
	}
}

func TestOwnerConcurrent(t *testing.T) {
	m := testMatcher(t)
	want := ownerString(m.Owner("cache0001.dc1.example.org", "disk", checks.Critical))
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				if got := ownerString(m.Owner("cache0001.dc1.example.org", "disk", checks.Critical)); got != want {
					errs <- got
					return
				}
				m.Explain("web0001.dc1.example.org", "puppet", checks.Warning)
			}
			errs <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if got := <-errs; got != "" {
			t.Errorf("concurrent Owner = %s, want %s", got, want)
		}
	}
}
