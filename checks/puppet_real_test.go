package checks

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The cases of testdata/puppet/real are files written by real Puppet 7.23
// runs (generate.sh there), laid out as Debian's Puppet 7 lays them out.
// Each is copied under a temporary root in every layout Puppet uses, the
// check's real command is run on it with /bin/sh, and the result is
// asserted (status, reason, summary) and the same in every layout; the
// output in Debian's layout is kept as <case>.out, whose result
// TestPuppetGoldenReal compares with <case>.golden.

// realPuppetDir holds the real fixtures.
const realPuppetDir = "testdata/puppet/real"

// puppetLayoutMoves maps the directories of Debian's Puppet 7 layout, as
// the fixtures hold them, onto each layout; a nil map is Debian's own.
var puppetLayoutMoves = []struct {
	name  string
	moves map[string]string
}{
	{"debian7", nil},
	{"aio7", map[string]string{
		"var/cache/puppet/public": "opt/puppetlabs/puppet/public",
		"var/cache/puppet/state":  "opt/puppetlabs/puppet/cache/state",
	}},
	{"debian6", map[string]string{
		"var/cache/puppet/public": "var/lib/puppet/state",
		"var/cache/puppet/state":  "var/lib/puppet/state",
	}},
	{"aio6", map[string]string{
		"var/cache/puppet/public": "opt/puppetlabs/puppet/cache/state",
		"var/cache/puppet/state":  "opt/puppetlabs/puppet/cache/state",
	}},
}

// realPuppetCase is one evaluation of a real fixture: the result expected
// when the output is received after (the capture time plus) after.
type realPuppetCase struct {
	name    string // golden file name
	fixture string // directory under realPuppetDir
	after   time.Duration
	status  Status
	reason  string
	summary string // a part of the summary
}

var realPuppetCases = []realPuppetCase{
	{"clean", "clean", 5 * time.Minute, OK, "", "last run 5m ago: 8 resources, 0 failed"},
	{"changes", "changes", 5 * time.Minute, OK, "", "last run 5m ago: 8 resources, 0 failed"},
	{"stale", "clean", 3 * time.Hour, Warning, "stale", "last run 3h ago (≥ 1h)"},
	{"stale_critical", "clean", 50 * time.Hour, Critical, "stale", "last run 2d2h ago (≥ 1d)"},
	{"failing_exec", "failing_exec", 5 * time.Minute, Warning, "failed_resources", "1 resource failed: Exec[migrate-db]"},
	{"failing_restart", "failing_restart", 5 * time.Minute, Warning, "failed_resources", "1 resource failed (1 to restart): Service[app]"},
	{"failing_file_skipped", "failing_file_skipped", 5 * time.Minute, Warning, "failed_resources", "1 resource failed: File[/tmp/fleetcheck-puppet-gen/target/no/such/dir/app.conf], 1 skipped"},
	{"many_failures", "many_failures", 5 * time.Minute, Warning, "failed_resources", "7 resources failed: Exec[check-a], Exec[check-b], Exec[check-c], Exec[check-d], Exec[check-e] and 2 more"},
	{"dependency_cycle", "dependency_cycle", 5 * time.Minute, Critical, "catalog_failed", "Failed to apply catalog (no time.catalog_application in the last run summary: Found 1 dependency cycle:"},
	{"noop_pending", "noop_pending", 5 * time.Minute, OK, "", "2 changes pending (noop)"},
	{"corrective_change", "corrective_change", 5 * time.Minute, OK, "", "9 resources, 0 failed, run took"},
	{"tags_nothing", "tags_nothing", 5 * time.Minute, OK, "", "0 failed"},
	{"disabled_reason", "disabled_reason", 5 * time.Minute, Warning, "disabled", `agent disabled for 5m: "kernel upgrade, back at 16:00 -- alice"`},
	{"disabled_reason_week", "disabled_reason", 8 * 24 * time.Hour, Critical, "disabled", `agent disabled for 8d: "kernel upgrade, back at 16:00 -- alice"`},
	{"disabled_no_reason", "disabled_no_reason", 5 * time.Minute, Warning, "disabled", `agent disabled for 5m: "reason not specified"`},
	{"agent_clean", "agent_clean", 5 * time.Minute, OK, "", "last run 5m ago: 9 resources, 0 failed"},
	{"run_in_progress", "run_in_progress", 5 * time.Minute, OK, "", "last run 5m ago"},
	{"run_hung", "run_in_progress", 2 * time.Hour, Warning, "run_hung", "run in progress for 2h"},
	{"compile_error", "compile_error", 5 * time.Minute, Critical, "catalog_failed", "Failed to apply catalog (0 resources in the last run: Could not retrieve catalog from remote server: Error 500 on SERVER: Server Error: "},
	{"cached_catalog", "cached_catalog", 5 * time.Minute, Warning, "cached_catalog", "cached catalog applied: the server gave no new one (Could not retrieve catalog from remote server: Error 500 on SERVER: "},
	{"server_down", "server_down", 5 * time.Minute, Critical, "catalog_failed", "Failed to apply catalog (0 resources in the last run: Could not retrieve catalog from remote server: No more routes to puppet)"},
	{"server_down_cached", "server_down_cached", 5 * time.Minute, Warning, "cached_catalog", "cached catalog applied: the server gave no new one (Could not retrieve catalog from remote server: No more routes to puppet)"},
	{"upgraded", "upgraded", 5 * time.Minute, OK, "", "last run 5m ago"},
	{"upgraded_old_newer", "upgraded_old_newer", 5 * time.Minute, Warning, "failed_resources", "1 resource failed: Exec[old-layout-fails]"},
}

// TestPuppetGoldenReal evaluates the outputs TestPuppetReal recorded for
// Debian's layout, with the golden harness's truncations and mutations.
func TestPuppetGoldenReal(t *testing.T) {
	runGolden(t, mustBuiltin(t, "puppet", nil), realPuppetDir)
}

func TestPuppetReal(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	for _, tc := range realPuppetCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(realPuppetDir, tc.fixture)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("fixture %s: %v (regenerate with %s/generate.sh)", tc.fixture, err, realPuppetDir)
			}
			captured, mtimes := readRealTimes(t, dir)
			now := captured.Add(tc.after)
			var want Result
			for i, layout := range puppetLayoutMoves {
				if layout.moves != nil && movesCollide(mtimes, layout.moves) {
					continue // an upgraded host's two layouts would land in one directory
				}
				t.Run(layout.name, func(t *testing.T) {
					root := t.TempDir()
					summaryPath := copyRealFixture(t, dir, root, mtimes, layout.moves)
					chk := mustBuiltin(t, "puppet", Params{"root": root})
					stdout, stderr, code := runShell(t, chk.Command())
					stdout = hostClockLine.ReplaceAll(stdout, []byte("now="+strconv.FormatInt(now.Unix(), 10)))
					res := chk.Evaluate(Output{Stdout: stdout, Stderr: stderr, ExitCode: code, Now: now})
					if !strings.Contains(res.Details, "summary: "+root+"/"+summaryPath) {
						t.Errorf("details do not name %s:\n%s", summaryPath, res.Details)
					}
					if res.Status != tc.status || res.Reason != tc.reason || !strings.Contains(res.Summary, tc.summary) {
						t.Errorf("got %s %q (reason %q), want %s with %q (reason %q)", res.Status, res.Summary, res.Reason,
							tc.status, tc.summary, tc.reason)
					}
					if i == 0 {
						// Debian's layout: the output, as a host without the
						// root would print it, is a golden case of its own
						// (TestPuppetGoldenReal) and a sample of the demo.
						want = res
						if len(stderr) > 0 || code != 0 {
							t.Errorf("the command exited %d: %s", code, stderr)
						}
						compareGolden(t, filepath.Join(realPuppetDir, tc.name+".out"), strings.ReplaceAll(string(stdout), root, ""))
						return
					}
					if res.Status != want.Status || res.Summary != want.Summary || res.Reason != want.Reason {
						t.Errorf("%s differs from debian7: got %s %q (%s), debian7 %s %q (%s)", layout.name,
							res.Status, res.Summary, res.Reason, want.Status, want.Summary, want.Reason)
					}
				})
			}
		})
	}
}

// hostClockLine is the "now=EPOCH" line the puppet command prints first.
var hostClockLine = regexp.MustCompile(`(?m)^now=[0-9]+$`)

// readRealTimes reads a fixture's times file: "captured EPOCH" and
// "mtime PATH EPOCH" lines.
func readRealTimes(t *testing.T, dir string) (time.Time, map[string]time.Time) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "times"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var captured time.Time
	mtimes := map[string]time.Time{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		epoch := func(s string) time.Time {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("%s/times:%d: %v", dir, n, err)
			}
			return time.Unix(v, 0)
		}
		switch {
		case len(fields) == 2 && fields[0] == "captured":
			captured = epoch(fields[1])
		case len(fields) == 3 && fields[0] == "mtime":
			mtimes[fields[1]] = epoch(fields[2])
		default:
			t.Fatalf("%s/times:%d: want \"captured EPOCH\" or \"mtime PATH EPOCH\", got %q", dir, n, sc.Text())
		}
	}
	if captured.IsZero() || len(mtimes) == 0 {
		t.Fatalf("%s/times: no captured time or no files", dir)
	}
	return captured, mtimes
}

// movedPath is path with its directory moved as moves say.
func movedPath(path string, moves map[string]string) string {
	d, f := filepath.Split(path)
	if to, ok := moves[strings.TrimSuffix(d, "/")]; ok {
		return to + "/" + f
	}
	return path
}

// movesCollide reports whether two files would land on one path.
func movesCollide(mtimes map[string]time.Time, moves map[string]string) bool {
	seen := map[string]bool{}
	for p := range mtimes {
		m := movedPath(p, moves)
		if seen[m] {
			return true
		}
		seen[m] = true
	}
	return false
}

// copyRealFixture copies a fixture's files under root, moved into a
// layout, with their recorded modification times, and returns where the
// newest summary went (relative to root).
func copyRealFixture(t *testing.T, dir, root string, mtimes map[string]time.Time, moves map[string]string) string {
	t.Helper()
	newest, newestRun := "", -1.0
	for p, mt := range mtimes {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, movedPath(p, moves))
		writeTestFile(t, dst, string(data))
		if err := os.Chtimes(dst, mt, mt); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(p) == "last_run_summary.yaml" {
			ps, err := parsePuppetSummary(string(data))
			if err != nil {
				t.Fatalf("%s/%s: %v", dir, p, err)
			}
			if run := ps.Time["last_run"]; run > newestRun {
				newest, newestRun = movedPath(p, moves), run
			}
		}
	}
	if newest == "" {
		t.Fatalf("%s: no last_run_summary.yaml", dir)
	}
	return newest
}
