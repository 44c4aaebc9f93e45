package deliver

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/pgtest"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// clock is the store's and the post's clock: the tests script a history.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a store, an owners file whose teams' receivers are
// in-process servers, and a clock.
type fixture struct {
	t      testing.TB
	dir    string
	db     string
	clock  *clock
	store  *state.DB
	owners *ownership.File
	cfg    *config.Config
	rs     *Receivers
}

// ownersYAML is the owners file of the tests: ops posts to a webhook and
// escalates to oncall (a webhook too); web posts to a chat hook.
const ownersYAML = `fallback: ops
sla: {critical: 2h, warning: 1d}
teams:
  ops:
    webhook: {url_file: ops.url}
    escalation: [oncall]
  oncall:
    webhook: {url_file: oncall.url}
  web:
    chat: {webhook_file: web.hook}
rules:
  - id: web
    hosts: 'web*'
    owner: web
  - id: db
    hosts: 'db*'
    owner: ops
`

// newFixture writes the owners file with urls (file name -> URL) and
// builds the receivers; configYAML is fleetcheck.yaml ("" for none).
func newFixture(t testing.TB, urls map[string]string, configYAML string) *fixture {
	t.Helper()
	return newFixtureWith(t, ownersYAML, urls, configYAML, BuildOptions{})
}

// newFixtureWith is newFixture with another owners file; files are
// written into the fixture's directory first, bo completes Build's options.
func newFixtureWith(t testing.TB, owners string, files map[string]string, configYAML string, bo BuildOptions) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), clock: &clock{t: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}}
	for name, u := range files {
		write(t, f.dir, name, u)
	}
	var err error
	if f.owners, err = ownership.Parse(write(t, f.dir, "owners.yaml", owners), []byte(owners)); err != nil {
		t.Fatal(err)
	}
	f.cfg = &config.Config{}
	if configYAML != "" {
		if f.cfg, err = config.Parse(write(t, f.dir, "fleetcheck.yaml", configYAML), []byte(configYAML)); err != nil {
			t.Fatal(err)
		}
	}
	bo.Owners, bo.Config = f.owners, f.cfg
	if f.rs, err = Build(bo); err != nil {
		t.Fatal(err)
	}
	f.db = filepath.Join(f.dir, "fleet.db")
	f.store = f.open()
	return f
}

func write(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// open opens another handle on the store (as a second process would):
// the SQLite file, or the PostgreSQL database once moveTo set one.
func (f *fixture) open() *state.DB {
	f.t.Helper()
	s, err := state.OpenAny(context.Background(), f.db, state.Options{Now: f.clock.now})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { s.Close() })
	return s
}

// result is a result, owned as the owners file's rules say.
func (f *fixture) result(host, check string, status health.Status) health.Record {
	r := health.Record{Result: health.Result{Host: host, Check: check, Status: status, Summary: check + " " + status.String()}}
	if status != health.OK {
		r.Owner = &health.Owner{Team: "ops", Rule: "db"}
		if strings.HasPrefix(host, "web") {
			r.Owner = &health.Owner{Team: "web", Rule: "web"}
		}
	}
	return r
}

// sweep records one sweep of hosts an hour after the last one; every
// host's check passes unless failing names it.
func (f *fixture) sweep(failing map[string]health.Status) state.Sweep {
	f.t.Helper()
	f.clock.advance(time.Hour)
	ctx := context.Background()
	hosts := []string{"db1", "db2", "web1", "web2"}
	rec, err := f.store.Begin(ctx, state.SweepInfo{Hosts: hosts, Checks: []string{"disk"}, Inventory: hosts, Configured: []string{"disk"}})
	if err != nil {
		f.t.Fatal(err)
	}
	for _, h := range hosts {
		st, ok := failing[h]
		if !ok {
			st = health.OK
		}
		if _, err := rec.Add(ctx, f.result(h, "disk", st)); err != nil {
			f.t.Fatal(err)
		}
	}
	sw, err := rec.Commit(ctx, state.SweepEnd{Complete: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return sw
}

// post runs one digest --post within deadline, with a fast backoff.
func (f *fixture) post(store *state.DB, deadline time.Duration) Report {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	rep, err := Post(ctx, Options{Store: store, Owners: f.owners, Receivers: f.rs, Timeout: 300 * time.Millisecond,
		Backoff: notify.Backoff{Initial: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 3}, Now: f.clock.now})
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// rows is the outbox as one line per row.
func (f *fixture) rows() []string {
	f.t.Helper()
	rows, err := f.store.Outbox(context.Background(), "")
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%s %s attempts=%d %s", r.ID, r.State, r.Attempts, r.LastError))
	}
	return out
}

// ids are the webhook-ids of the deliveries a server took.
func ids(reqs []notifytest.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Header.Get("webhook-id"))
	}
	return out
}

func states(r notify.Result) []string {
	var out []string
	for _, o := range r.Outcomes {
		out = append(out, fmt.Sprintf("%s %s", o.ID, o.State))
	}
	return out
}

type servers struct{ ops, oncall, web *notifytest.Server }

func newServers(t testing.TB) (servers, map[string]string) {
	s := servers{ops: notifytest.New(t), oncall: notifytest.New(t), web: notifytest.New(t)}
	return s, map[string]string{"ops.url": s.ops.URL + "/hook", "oncall.url": s.oncall.URL + "/hook", "web.hook": s.web.URL + "/services/T/B/SECRET"}
}

// TestPostDigestsOncePerSweep: each team with a failure gets its digest
// once per sweep (a second post of the same sweep sends nothing), a team
// with nothing to tell gets nothing, and the next sweep's digest tells
// only what is new since the last delivery.
func TestPostDigestsOncePerSweep(t *testing.T) {
	srv, urls := newServers(t)
	f := newFixture(t, urls, "")
	f.sweep(map[string]health.Status{"db1": health.Critical})
	rep := f.post(f.store, 10*time.Second)
	if got, want := states(rep.Result), []string{"fc-1.ops.webhook delivered"}; !slices.Equal(got, want) || rep.ExitCode() != 0 {
		t.Fatalf("first post: %v (exit %d), want %v", got, rep.ExitCode(), want)
	}
	var doc struct {
		Schema string `json:"schema"`
		Teams  []struct {
			Team string `json:"team"`
			New  []struct {
				Hosts string `json:"hosts"`
			} `json:"new"`
		} `json:"teams"`
	}
	got := srv.ops.Delivered()
	if err := json.Unmarshal(got[0].Body, &doc); err != nil || doc.Schema != "fleetcheck.digest/v1" || len(doc.Teams) != 1 || doc.Teams[0].Team != "ops" || doc.Teams[0].New[0].Hosts != "db1" {
		t.Errorf("webhook body %s (%v)", got[0].Body, err)
	}
	if n := len(srv.web.Requests()); n != 0 {
		t.Errorf("web has nothing failing but got %d requests", n)
	}
	if rep := f.post(f.store, 10*time.Second); len(rep.Result.Outcomes) != 0 {
		t.Errorf("a second post of the same sweep sent %v", states(rep.Result))
	}
	f.sweep(map[string]health.Status{"db1": health.Critical, "web1": health.Warning})
	rep = f.post(f.store, 10*time.Second)
	if got, want := states(rep.Result), []string{"fc-2.ops.webhook delivered", "fc-2.web.chat delivered"}; !slices.Equal(got, want) {
		t.Fatalf("second sweep's post: %v, want %v", got, want)
	}
	if body := string(srv.ops.Delivered()[1].Body); !strings.Contains(body, `"new": []`) || !strings.Contains(body, `"ongoing": [`) {
		t.Errorf("db1 is ongoing, not new, in the second digest:\n%s", body)
	}
	if !strings.Contains(string(srv.web.Delivered()[0].Body), "web1") {
		t.Errorf("chat got %s", srv.web.Delivered()[0].Body)
	}
	if got := ids(srv.ops.Requests()); !slices.Equal(got, []string{"fc-1.ops.webhook", "fc-2.ops.webhook"}) {
		t.Errorf("ops got %v", got)
	}
}

// TestPostRetries: a 500 then success, a 429 with Retry-After, a 400
// (refused for good: exit 76, kept, reported, not retried by the next
// post), and a receiver that hangs (the post ends by its deadline, the
// delivery stays queued: exit 75).
func TestPostRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		script   []notifytest.Answer
		deadline time.Duration
		state    notify.State
		exit     int
		requests int
	}{
		{"500 then ok", []notifytest.Answer{{Status: 500}}, 10 * time.Second, notify.Delivered, 0, 2},
		{"429 retry-after", []notifytest.Answer{{Status: 429, RetryAfter: time.Second}}, 10 * time.Second, notify.Delivered, 0, 2},
		{"400 permanent", []notifytest.Answer{{Status: 400}}, 10 * time.Second, notify.Refused, notify.ExitRefused, 1},
		{"hangs", []notifytest.Answer{{Hang: true}, {Hang: true}, {Hang: true}}, 1500 * time.Millisecond, notify.Queued, notify.ExitQueued, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, urls := newServers(t)
			srv.ops.Script(tc.script...)
			f := newFixture(t, urls, "")
			f.sweep(map[string]health.Status{"db1": health.Critical})
			start := time.Now()
			rep := f.post(f.store, tc.deadline)
			took := time.Since(start)
			o := rep.Result.Outcomes[0]
			if o.State != tc.state || rep.ExitCode() != tc.exit || len(srv.ops.Requests()) != tc.requests {
				t.Fatalf("%s after %d requests (exit %d, %s), want %s, %d, exit %d", o.State, len(srv.ops.Requests()), rep.ExitCode(), o.Err, tc.state, tc.requests, tc.exit)
			}
			if took > tc.deadline {
				t.Errorf("the post took %s, past its deadline %s", took, tc.deadline)
			}
			if tc.name == "429 retry-after" {
				r := srv.ops.Requests()
				if gap := r[1].At.Sub(r[0].At); gap < time.Second {
					t.Errorf("retried %s after a 429 with Retry-After: 1", gap)
				}
			}
			f.t.Logf("%s: %s attempts=%d latency=%s err=%q; store: %q", tc.name, o.State, o.Attempts, o.Latency, o.Err, f.rows())
			// The next post: a refused delivery is not retried, a queued one goes again.
			srv.ops.Script()
			before := len(srv.ops.Requests())
			rep = f.post(f.store, 10*time.Second)
			retried := len(srv.ops.Requests()) > before
			if retried != (tc.state == notify.Queued) {
				t.Errorf("next post retried %v: %v (store %q)", retried, states(rep.Result), f.rows())
			}
		})
	}
}

// TestReceiverDownThreeRuns: the webhook is down (503) for three sweeps
// and posts, then up: every digest is delivered once, in order, the
// oldest first; the healthy chat is never held up.
func TestReceiverDownThreeRuns(t *testing.T) {
	srv, urls := newServers(t)
	down := slices.Repeat([]notifytest.Answer{{Status: 503}}, 9)
	srv.ops.Script(down...)
	f := newFixture(t, urls, "")
	for run := 1; run <= 4; run++ {
		if run == 4 {
			srv.ops.Script()
		}
		f.sweep(map[string]health.Status{"db1": health.Critical, "web1": health.Warning})
		rep := f.post(f.store, 10*time.Second)
		t.Logf("after run %d (exit %d): %v\n  outbox: %q", run, rep.ExitCode(), states(rep.Result), f.rows())
		want := 75
		if run == 4 {
			want = 0
		}
		if rep.ExitCode() != want {
			t.Errorf("run %d: exit %d, want %d", run, rep.ExitCode(), want)
		}
	}
	want := []string{"fc-1.ops.webhook", "fc-2.ops.webhook", "fc-3.ops.webhook", "fc-4.ops.webhook"}
	if got := ids(srv.ops.Delivered()); !slices.Equal(got, want) {
		t.Errorf("ops took %v, want %v", got, want)
	}
	if got := ids(srv.ops.Requests()); len(got) != 9+4 {
		t.Errorf("ops was sent %d requests, want 9 (3 per run while down, fc-2 and fc-3 waiting behind fc-1) + 4", len(got))
	}
	if got := len(srv.web.Delivered()); got != 4 {
		t.Errorf("the chat took %d digests, want 4 (one per run, never held up)", got)
	}
}

// moveTo makes the fixture's store the database at url.
func (f *fixture) moveTo(url string) {
	f.db = url
	f.store = f.open()
}

// TestTwoPostsAtOnce: two posts on two handles of one store at once
// (as two bastions would) deliver every item once, on SQLite and on
// PostgreSQL (skipped where it is not installed).
func TestTwoPostsAtOnce(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testTwoPostsAtOnce(t, backend) })
	}
}

func testTwoPostsAtOnce(t *testing.T, backend string) {
	srv, urls := newServers(t)
	srv.ops.Script(slices.Repeat([]notifytest.Answer{{Status: 503}}, 6)...)
	f := newFixture(t, urls, "")
	if backend == "postgres" {
		db, err := pgtest.New(t).NewDatabase(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		f.moveTo(db)
	}
	for range 2 {
		f.sweep(map[string]health.Status{"db1": health.Critical, "web1": health.Warning})
		f.post(f.store, 10*time.Second) // ops stays queued
	}
	srv.ops.Script()
	f.sweep(map[string]health.Status{"db1": health.Critical, "web2": health.Critical})
	var wg sync.WaitGroup
	reps := make([]Report, 2)
	for i, s := range []*state.DB{f.store, f.open()} {
		wg.Go(func() { reps[i] = f.post(s, 10*time.Second) })
	}
	wg.Wait()
	t.Logf("post A: %v\npost B: %v", states(reps[0].Result), states(reps[1].Result))
	if got, want := ids(srv.ops.Requests()[6:]), []string{"fc-1.ops.webhook", "fc-2.ops.webhook", "fc-3.ops.webhook"}; !slices.Equal(got, want) {
		t.Errorf("ops took %v, want %v once each, in order", got, want)
	}
	if got := len(srv.web.Delivered()); got != 3 {
		t.Errorf("the chat took %d digests, want 3", got)
	}
	// 11:00: db1's 2h SLA is breached, so oncall is told once too.
	if got := ids(srv.oncall.Delivered()); !slices.Equal(got, []string{"fc-3.ops.escalation_3Aoncall_3Awebhook"}) {
		t.Errorf("oncall took %v", got)
	}
	if n := len(reps[0].Result.Outcomes) + len(reps[1].Result.Outcomes); n != 5 {
		t.Errorf("the two posts made %d deliveries between them, want 5", n)
	}
}

// TestEscalationOncePerBreach: an episode past its team's SLA is told to
// the escalation target once; a later breach of another episode once too.
func TestEscalationOncePerBreach(t *testing.T) {
	srv, urls := newServers(t)
	f := newFixture(t, urls, "")
	f.sweep(map[string]health.Status{"db1": health.Critical}) // 09:00
	f.post(f.store, 10*time.Second)
	if n := len(srv.oncall.Requests()); n != 0 {
		t.Fatalf("escalated before the SLA (2h) was breached: %d", n)
	}
	f.sweep(map[string]health.Status{"db1": health.Critical}) // 10:00: 1h
	f.post(f.store, 10*time.Second)
	f.sweep(map[string]health.Status{"db1": health.Critical, "db2": health.Critical}) // 11:00: db1 breached
	f.post(f.store, 10*time.Second)
	f.sweep(map[string]health.Status{"db1": health.Critical, "db2": health.Critical}) // 12:00
	f.post(f.store, 10*time.Second)
	f.sweep(map[string]health.Status{"db1": health.Critical, "db2": health.Critical}) // 13:00: db2 breached
	f.post(f.store, 10*time.Second)
	f.sweep(map[string]health.Status{"db1": health.Critical, "db2": health.Critical}) // 14:00
	f.post(f.store, 10*time.Second)
	want := []string{"fc-3.ops.escalation_3Aoncall_3Awebhook", "fc-5.ops.escalation_3Aoncall_3Awebhook"}
	got := srv.oncall.Delivered()
	if !slices.Equal(ids(got), want) {
		t.Fatalf("oncall got %v, want %v", ids(got), want)
	}
	if b := string(got[0].Body); !strings.Contains(b, `"hosts": "db1"`) || strings.Contains(b, "db2") || !strings.Contains(b, `"state": "breached"`) {
		t.Errorf("first escalation:\n%s", b)
	}
	if b := string(got[1].Body); !strings.Contains(b, `"hosts": "db2"`) || strings.Contains(b, `"hosts": "db1"`) {
		t.Errorf("second escalation:\n%s", b)
	}
	if n := len(srv.ops.Delivered()); n != 6 {
		t.Errorf("ops took %d digests, want 6", n)
	}
}

// TestDryRunRecordsNothing: --dry-run prints what would go and leaves
// the store as it was.
func TestDryRunRecordsNothing(t *testing.T) {
	srv, urls := newServers(t)
	f := newFixture(t, urls, "")
	f.sweep(map[string]health.Status{"db1": health.Critical})
	var out strings.Builder
	if err := DryRun(context.Background(), Options{Store: f.store, Owners: f.owners, Receivers: f.rs, Now: f.clock.now}, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("dry run:\n%s", out.String())
	if !strings.Contains(out.String(), "fc-1.ops.webhook") || strings.Contains(out.String(), "SECRET") {
		t.Errorf("dry run:\n%s", out.String())
	}
	if rows := f.rows(); len(rows) != 0 || len(srv.ops.Requests()) != 0 {
		t.Errorf("dry run queued %v, sent %d", rows, len(srv.ops.Requests()))
	}
	if _, ok, _ := f.store.LastDelivered(context.Background(), "ops"); ok {
		t.Error("dry run moved the delivered mark")
	}
}

// TestBuildErrors: a receiver configured but unusable is an error naming
// where it was configured, without the secret.
func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "ok.url", "http://127.0.0.1:1/SECRET")
	t.Setenv("FLEETCHECK_TEST_UNSET", "")
	for _, tc := range []struct {
		name, owners, config, want string
	}{
		{"missing hook file", "teams:\n  ops:\n    chat: {webhook_file: missing.hook}\n", "", "owners.yaml:4:5: team ops: chat: reading chat webhook: open "},
		{"env unset", "teams:\n  ops:\n    webhook: {url_env: FLEETCHECK_TEST_UNSET}\n", "", "owners.yaml:4:5: team ops: webhook: webhook url variable FLEETCHECK_TEST_UNSET is unset or empty"},
		{"email without smtp", "teams:\n  ops:\n    email: {to: [ops@example.org]}\n", "", "owners.yaml:4:5: team ops: email: mail needs notify.smtp"},
		{"escalation nowhere", "teams:\n  ops:\n    webhook: {url_file: ok.url}\n    escalation: [nobody]\n", "", `owners.yaml:5:5: team ops: escalation: "nobody" is neither a team with receivers`},
		{"smtp password file", "teams: {ops: {}}\n", "notify:\n  smtp: {address: 'smtp.example.org:587', from: f@example.org, username: u,\n         password_file: nope.pass}\n", "fleetcheck.yaml:3:10: notify: smtp: password_file: open "},
		{"smtp password env", "teams: {ops: {}}\n", "notify:\n  smtp:\n    address: 'smtp.example.org:587'\n    from: f@example.org\n    password_env: FLEETCHECK_TEST_UNSET\n", "fleetcheck.yaml:5:5: notify: smtp: password_env: variable FLEETCHECK_TEST_UNSET is unset or empty"},
		{"alertmanager url", "teams: {ops: {}}\n", "notify:\n  alertmanager: {url: 'ftp://am:SECRET@x'}\n", "fleetcheck.yaml:2:18: notify: alertmanager: url: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			owners, err := ownership.Parse(filepath.Join(dir, "owners.yaml"), []byte("fallback: ops\n"+tc.owners))
			if err != nil {
				t.Fatal(err)
			}
			cfg := &config.Config{}
			if tc.config != "" {
				if cfg, err = config.Parse(filepath.Join(dir, "fleetcheck.yaml"), []byte(tc.config)); err != nil {
					t.Fatal(err)
				}
			}
			_, err = Build(BuildOptions{Owners: owners, Config: cfg})
			if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tc.want)) || strings.Contains(err.Error(), "SECRET") {
				t.Errorf("Build: %v\nwant %s", err, tc.want)
			}
		})
	}
}
