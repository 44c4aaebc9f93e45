package state

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

// clock is a controllable clock for scripted histories.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func openTest(t *testing.T, path string, c *clock) *DB {
	t.Helper()
	s, err := OpenAny(context.Background(), path, Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// res is a shorthand result: "CRITICAL" etc.; team "" means no owner.
func res(host, check string, status health.Status, team string) health.Record {
	r := health.Record{Result: health.Result{Host: host, Check: check, Status: status, Summary: check + " " + status.String()}}
	if status == health.Unreachable {
		r.ErrorKind, r.Summary = "timeout", "timed out"
	}
	if team != "" && status != health.OK {
		r.Owner = &health.Owner{Team: team, Rule: "r-" + team}
	}
	return r
}

// sweepSpec is one scripted sweep.
type sweepSpec struct {
	query       string
	hosts       []string
	inventory   []string
	configured  []string
	results     []health.Record
	interrupted bool
}

func record(t *testing.T, s Store, c *clock, sp sweepSpec) (Sweep, []Mark) {
	t.Helper()
	ctx := context.Background()
	checks := sp.configured
	r, err := s.Begin(ctx, SweepInfo{Query: sp.query, Checks: checks, Hosts: sp.hosts, Inventory: sp.inventory, Configured: sp.configured})
	if err != nil {
		t.Fatal(err)
	}
	var marks []Mark
	for _, rec := range sp.results {
		c.advance(time.Second)
		m, err := r.Add(ctx, rec)
		if err != nil {
			t.Fatal(err)
		}
		marks = append(marks, m)
	}
	sw, err := r.Commit(ctx, SweepEnd{Complete: !sp.interrupted})
	if err != nil {
		t.Fatal(err)
	}
	return sw, marks
}

// episodeLine is an episode in a few words, for comparing histories.
func episodeLine(e Episode) string {
	var b strings.Builder
	check := e.Check
	if check == HostCheck {
		check = "(host)"
	}
	b.WriteString(e.Host + "/" + check + ":")
	for _, c := range e.Changes {
		b.WriteString(" " + c.Status.String() + "@" + c.At.Sub(t0).String())
		if c.Owner.Team != "" {
			b.WriteString("[" + c.Owner.Team + "]")
		}
	}
	if e.Open() {
		b.WriteString(" open, last " + e.LastSeen.Sub(t0).String())
	} else {
		b.WriteString(" " + string(e.End) + "@" + e.Ended.Sub(t0).String())
	}
	return b.String()
}

func historyLines(t *testing.T, s Store) []string {
	t.Helper()
	eps, err := s.Episodes(context.Background(), EpisodeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range eps {
		out = append(out, episodeLine(e))
	}
	return out
}

func TestScriptedEpisodes(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		all := []string{"a", "b", "c", "d"}
		checks := []string{"disk", "puppet"}
		full := func(results ...health.Record) sweepSpec {
			return sweepSpec{query: "all", hosts: all, inventory: all, configured: checks, results: results}
		}
		const (
			OK   = health.OK
			WARN = health.Warning
			CRIT = health.Critical
			UNR  = health.Unreachable
		)
		type step struct {
			name  string
			spec  sweepSpec
			marks []bool // New of each failing result, in order
			want  []string
		}
		steps := []step{
			{"new", full(res("a", "disk", WARN, "traffic"), res("a", "puppet", OK, ""), res("b", "disk", CRIT, "infra"), res("b", "puppet", OK, ""),
				res("c", "disk", OK, ""), res("c", "puppet", CRIT, "infra"), res("d", "disk", OK, ""), res("d", "puppet", OK, "")),
				[]bool{true, true, true},
				[]string{"a/disk: WARNING@1s[traffic] open, last 1s", "b/disk: CRITICAL@3s[infra] open, last 3s", "c/puppet: CRITICAL@6s[infra] open, last 6s"}},
			{"ongoing, worsened, improved", full(res("a", "disk", CRIT, "traffic"), res("a", "puppet", OK, ""), res("b", "disk", WARN, "infra"), res("b", "puppet", OK, ""),
				res("c", "disk", OK, ""), res("c", "puppet", CRIT, "infra"), res("d", "disk", OK, ""), res("d", "puppet", OK, "")),
				[]bool{false, false, false},
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] open, last 9s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] open, last 11s", "c/puppet: CRITICAL@6s[infra] open, last 14s"}},
			{"unreachable in between: resolves nothing, an episode of its own", full(res("a", "disk", UNR, "traffic"), res("a", "puppet", UNR, "traffic"), res("b", "disk", WARN, "infra"), res("b", "puppet", OK, ""),
				res("c", "disk", OK, ""), res("c", "puppet", OK, ""), res("d", "disk", OK, ""), res("d", "puppet", OK, "")),
				[]bool{true, false},
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] open, last 9s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] open, last 19s", "c/puppet: CRITICAL@6s[infra] fixed@22s", "a/(host): UNREACHABLE@17s[traffic] open, last 17s"}},
			{"narrower query: other hosts untouched", sweepSpec{query: "b", hosts: []string{"b"}, inventory: all, configured: checks,
				results: []health.Record{res("b", "disk", OK, ""), res("b", "puppet", OK, "")}},
				nil,
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] open, last 9s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] fixed@25s", "c/puppet: CRITICAL@6s[infra] fixed@22s", "a/(host): UNREACHABLE@17s[traffic] open, last 17s"}},
			{"interrupted: records what finished, resolves nothing else", sweepSpec{query: "all", hosts: all, inventory: all, configured: checks, interrupted: true,
				results: []health.Record{res("c", "disk", CRIT, "infra"), res("c", "puppet", OK, ""),
					{Result: health.Result{Host: "a", Check: "disk", Status: health.Unknown, ErrorKind: string(health.KindCanceled)}},
					{Result: health.Result{Host: "a", Check: "puppet", Status: health.Unknown, ErrorKind: string(health.KindCanceled)}}}},
				[]bool{true},
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] open, last 9s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] fixed@25s", "c/puppet: CRITICAL@6s[infra] fixed@22s", "a/(host): UNREACHABLE@17s[traffic] open, last 17s", "c/disk: CRITICAL@27s[infra] open, last 27s"}},
			{"reachable again; a check gone from the configuration; a host gone from the inventory", sweepSpec{query: "all", hosts: []string{"a", "b", "d"}, inventory: []string{"a", "b", "d"}, configured: []string{"puppet"},
				results: []health.Record{res("a", "puppet", OK, ""), res("b", "puppet", OK, ""), res("d", "puppet", OK, "")}},
				nil,
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] gone@33s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] fixed@25s", "c/puppet: CRITICAL@6s[infra] fixed@22s", "a/(host): UNREACHABLE@17s[traffic] fixed@33s", "c/disk: CRITICAL@27s[infra] gone@33s"}},
			{"a new episode after a resolved one", sweepSpec{query: "all", hosts: []string{"a", "b", "d"}, inventory: []string{"a", "b", "d"}, configured: []string{"puppet"},
				results: []health.Record{res("a", "puppet", OK, ""), res("b", "puppet", OK, ""), res("d", "puppet", WARN, "web")}},
				[]bool{true},
				[]string{"a/disk: WARNING@1s[traffic] CRITICAL@9s[traffic] gone@33s", "b/disk: CRITICAL@3s[infra] WARNING@11s[infra] fixed@25s", "c/puppet: CRITICAL@6s[infra] fixed@22s", "a/(host): UNREACHABLE@17s[traffic] fixed@33s", "c/disk: CRITICAL@27s[infra] gone@33s", "d/puppet: WARNING@36s[web] open, last 36s"}},
		}
		for i, st := range steps {
			_, marks := record(t, s, c, st.spec)
			var news []bool
			for j, m := range marks {
				if st.spec.results[j].Status != health.OK && st.spec.results[j].IsVerdict() {
					if st.spec.results[j].Status == health.Unreachable && j > 0 && st.spec.results[j-1].Host == st.spec.results[j].Host && st.spec.results[j-1].Status == health.Unreachable {
						continue // one host episode, marked once
					}
					news = append(news, m.New)
				}
			}
			if !slices.Equal(news, st.marks) {
				t.Errorf("step %d (%s): marks New %v, want %v", i, st.name, news, st.marks)
			}
			got := historyLines(t, s)
			if strings.Join(got, "\n") != strings.Join(st.want, "\n") {
				t.Fatalf("step %d (%s):\ngot\n  %s\nwant\n  %s", i, st.name, strings.Join(got, "\n  "), strings.Join(st.want, "\n  "))
			}
		}
		sweeps, err := s.Sweeps(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(sweeps) != len(steps) {
			t.Fatalf("%d sweeps recorded, want %d", len(sweeps), len(steps))
		}
		// Newest first: the interrupted sweep is the third newest.
		if sw := sweeps[2]; sw.Complete || sw.Counts.NotRun != 2 || sw.Counts.Critical != 1 || sw.Counts.Opened != 1 {
			t.Errorf("interrupted sweep recorded as %+v", sw)
		}
		if sw := sweeps[1]; sw.Counts.Gone != 2 || sw.Counts.Fixed != 1 || sw.Scope != "a,b,d" || !sw.Complete {
			t.Errorf("gone sweep recorded as %+v", sw)
		}
		if sw := sweeps[len(sweeps)-2]; sw.Counts.Worsened != 1 || sw.Counts.Improved != 1 || sw.Counts.Opened != 0 {
			t.Errorf("second sweep recorded as %+v", sw)
		}
	})
}

func TestEpisodeFilterAndSLAClock(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		spec := func(results ...health.Record) sweepSpec {
			return sweepSpec{query: "all", hosts: []string{"a", "b"}, results: results}
		}
		record(t, s, c, spec(res("a", "disk", health.Warning, "traffic"), res("b", "disk", health.Critical, "infra")))
		c.advance(time.Hour)
		record(t, s, c, spec(res("a", "disk", health.Critical, "traffic"), res("b", "disk", health.OK, "")))
		c.advance(time.Hour)
		record(t, s, c, spec(res("a", "disk", health.Warning, "traffic"), res("b", "disk", health.OK, "")))

		ctx := context.Background()
		disk := "disk"
		eps, err := s.Episodes(ctx, EpisodeFilter{Host: "a", Check: &disk})
		if err != nil || len(eps) != 1 {
			t.Fatalf("episodes of a/disk: %v, %v", eps, err)
		}
		e := eps[0]
		if at, ok := e.Reached(health.Critical); !ok || at != t0.Add(time.Hour+3*time.Second) {
			t.Errorf("reached CRITICAL at %v %v", at, ok)
		}
		if at, ok := e.Reached(health.Warning); !ok || at != t0.Add(time.Second) {
			t.Errorf("reached WARNING at %v %v (the first time counts)", at, ok)
		}
		if e.Worst() != health.Critical || e.Status != health.Warning {
			t.Errorf("worst %v, status %v", e.Worst(), e.Status)
		}
		if got := e.StatusSince(); got != t0.Add(2*time.Hour+5*time.Second) {
			t.Errorf("status since %v", got)
		}
		open, err := s.Episodes(ctx, EpisodeFilter{OpenOnly: true})
		if err != nil || len(open) != 1 || open[0].Host != "a" {
			t.Errorf("open episodes: %v, %v", open, err)
		}
		infra, err := s.Episodes(ctx, EpisodeFilter{Team: "infra"})
		if err != nil || len(infra) != 1 || infra[0].End != EndFixed {
			t.Errorf("infra's episodes: %v, %v", infra, err)
		}
		later, err := s.Episodes(ctx, EpisodeFilter{Since: t0.Add(90 * time.Minute)})
		if err != nil || len(later) != 1 || later[0].Host != "a" {
			t.Errorf("episodes since 1h30: %v, %v (b's ended at 1h)", later, err)
		}
	})
}

func TestDelivered(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		ctx := context.Background()
		sw, _ := record(t, s, c, sweepSpec{query: "all", hosts: []string{"a"}, results: []health.Record{res("a", "disk", health.Critical, "traffic")}})
		if _, ok, err := s.LastDelivered(ctx, "traffic"); ok || err != nil {
			t.Fatalf("before any delivery: %v %v", ok, err)
		}
		if err := s.MarkDelivered(ctx, "traffic", sw.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		d, ok, err := s.LastDelivered(ctx, "traffic")
		if !ok || err != nil || d.Sweep != sw.ID || d.At != t0.Add(time.Minute) {
			t.Fatalf("after delivery: %+v %v %v", d, ok, err)
		}
		if err := s.MarkDelivered(ctx, "traffic", sw.ID, t0.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if d, _, _ := s.LastDelivered(ctx, "traffic"); d.At != t0.Add(2*time.Minute) {
			t.Errorf("second delivery not kept: %+v", d)
		}
		if _, ok, _ := s.LastDelivered(ctx, "infra"); ok {
			t.Error("infra was never shown a digest")
		}
	})
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fleet.db")
	c := &clock{t: t0}
	s := openTest(t, path, c)
	record(t, s, c, sweepSpec{query: "all", hosts: []string{"a"}, results: []health.Record{res("a", "disk", health.Critical, "")}})
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			if p == path {
				t.Fatal(err)
			}
			continue
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

func TestMigrateFromFirstSchema(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		ctx := context.Background()
		path := fresh(t)
		old, err := openAnyVersion(ctx, path, Options{}, 1)
		if err != nil {
			t.Fatal(err)
		}
		// A sweep as the first schema stored it.
		if _, err := old.db.ExecContext(ctx, `INSERT INTO sweeps(started, finished, query, checks, hosts, scope, complete, results, critical, opened)
			VALUES(?, ?, 'all', 'disk', 1, 'a', 1, 1, 1, 1)`, millis(t0), millis(t0.Add(time.Second))); err != nil {
			t.Fatal(err)
		}
		if _, err := old.db.ExecContext(ctx, `INSERT INTO episodes(host, check_name, status, summary, reason, error_kind, team, rule, unowned, product_owner, first_seen, last_seen, first_sweep, last_sweep)
			VALUES('a', 'disk', 'CRITICAL', 'full', '', '', 'infra', 'r', 0, '', ?, ?, 1, 1)`, millis(t0), millis(t0)); err != nil {
			t.Fatal(err)
		}
		if _, err := old.db.ExecContext(ctx, `INSERT INTO changes VALUES(1, 1, ?, 'CRITICAL', 'full', 'infra', 'r', 0, '')`, millis(t0)); err != nil {
			t.Fatal(err)
		}
		old.Close()

		c := &clock{t: t0.Add(time.Hour)}
		s := openTest(t, path, c)
		if v, _ := s.version(ctx, s.db); v != SchemaVersion() {
			t.Fatalf("migrated to version %d, want %d", v, SchemaVersion())
		}
		sw, err := s.Sweeps(ctx, 0)
		if err != nil || len(sw) != 1 || sw[0].Shard != nil || sw[0].Counts.Critical != 1 {
			t.Fatalf("old sweep after migration: %+v %v", sw, err)
		}
		// The old open episode continues and resolves in a new sweep.
		record(t, s, c, sweepSpec{query: "all", hosts: []string{"a"}, results: []health.Record{res("a", "disk", health.OK, "")}})
		got := historyLines(t, s)
		if want := "a/disk: CRITICAL@0s[infra] fixed@1h0m1s"; len(got) != 1 || got[0] != want {
			t.Errorf("history after migration: %v, want %s", got, want)
		}
		if _, err := s.Begin(ctx, SweepInfo{Query: "all", Shard: &Shard{Index: 1, Count: 4}}); err != nil {
			t.Fatalf("the migrated schema takes shards: %v", err)
		}
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "fleet.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("opening a newer store: %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, "schema version 99", "upgrade fleetcheck"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("refusing a newer store changed its file")
	}
}

func TestNotAStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a database at all, just some text that is long enough to look like a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, text, Options{}); err == nil || !strings.Contains(err.Error(), text) {
		t.Errorf("opening a text file: %v", err)
	}
	other := filepath.Join(dir, "other.db")
	s, err := openVersion(ctx, other, Options{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, "CREATE TABLE t(x)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, other, Options{}); err == nil || !strings.Contains(err.Error(), "not a fleetcheck state store") {
		t.Errorf("opening another SQLite database: %v", err)
	}
}

func TestTwoSweepsAtOnce(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		ctx := context.Background()
		path := fresh(t)
		c := &clock{t: t0}
		first := openTest(t, path, c)
		second := openTest(t, path, c) // another process, as far as SQLite is concerned
		r1, err := first.Begin(ctx, SweepInfo{Query: "all", Hosts: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r1.Add(ctx, res("a", "disk", health.Critical, "infra")); err != nil {
			t.Fatal(err)
		}
		r2, err := second.Begin(ctx, SweepInfo{Query: "all", Hosts: []string{"a"}})
		if second.spool {
			// PostgreSQL: both record at once; each applies what it saw
			// under the write lock at Commit, on what the other committed.
			if err != nil {
				t.Fatalf("second sweep while the first records: %v", err)
			}
			c.advance(time.Second)
			if _, err := r2.Add(ctx, res("a", "disk", health.Critical, "infra")); err != nil {
				t.Fatal(err)
			}
		} else if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "waited 5s") {
			t.Fatalf("second sweep while the first records: %v, want ErrLocked naming the file and the wait", err)
		}
		// Reading goes on while a sweep records (WAL).
		if _, err := second.Episodes(ctx, EpisodeFilter{}); err != nil {
			t.Errorf("reading while a sweep records: %v", err)
		}
		if _, err := r1.Commit(ctx, SweepEnd{Complete: true}); err != nil {
			t.Fatal(err)
		}
		if second.spool {
			sw, err := r2.Commit(ctx, SweepEnd{Complete: true})
			if err != nil {
				t.Fatal(err)
			}
			if sw.Counts.Opened != 0 || sw.Counts.Critical != 1 {
				t.Errorf("the second sweep counted %+v: want the first's episode continued, not opened again", sw.Counts)
			}
		} else {
			record(t, second, c, sweepSpec{query: "all", hosts: []string{"a"}, results: []health.Record{res("a", "disk", health.Critical, "infra")}})
		}
		sweeps, err := first.Sweeps(ctx, 0)
		if err != nil || len(sweeps) != 2 {
			t.Fatalf("sweeps: %v %v", sweeps, err)
		}
		if got := historyLines(t, first); len(got) != 1 || !strings.HasSuffix(got[0], "open, last 1s") {
			t.Errorf("history: %v", got)
		}
		checkIntegrity(t, first)
	})
}

func TestAbortLeavesNothing(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) {
		ctx := context.Background()
		c := &clock{t: t0}
		s := openTest(t, fresh(t), c)
		r, err := s.Begin(ctx, SweepInfo{Query: "all", Hosts: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Add(ctx, res("a", "disk", health.Critical, "")); err != nil {
			t.Fatal(err)
		}
		if err := r.Abort(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Add(ctx, res("a", "disk", health.Critical, "")); err == nil {
			t.Error("Add after Abort succeeded")
		}
		if sw, _ := s.Sweeps(ctx, 0); len(sw) != 0 {
			t.Errorf("aborted sweep stored: %v", sw)
		}
		if got := historyLines(t, s); len(got) != 0 {
			t.Errorf("aborted episodes stored: %v", got)
		}
	})
}

func checkIntegrity(t *testing.T, s *DB) {
	t.Helper()
	if _, pg := s.d.(postgresDialect); pg {
		// PostgreSQL checks its own pages; check what the schema cannot:
		// every episode has its opening change.
		var n int
		if err := s.db.QueryRowContext(context.Background(), `SELECT count(*) FROM episodes e
			WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.episode = e.id)`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("episodes without changes: %d %v", n, err)
		}
		return
	}
	var ok string
	if err := s.db.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
}
