package checks_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/runner"
	"golang.org/x/crypto/ssh"
)

// pluginDir is where Debian's monitoring-plugins-basic installs.
const pluginDir = "/usr/lib/nagios/plugins"

// needPlugins skips the test unless the named plugins are installed.
func needPlugins(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(pluginDir, n)); err != nil {
			t.Skipf("Monitoring Plugins not installed (%s: %v): apt-get install monitoring-plugins-basic", n, err)
		}
	}
}

// sweepOverSSHD runs the nagios checks on s as a sweep does (runner, then
// sweep.Evaluate) and returns one result per check, in order.
func sweepOverSSHD(t *testing.T, s *sshdtest.Server, cks []checks.Check, timeout time.Duration, cfg runner.Config) []checks.Result {
	t.Helper()
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(kh, []byte(s.HostKeyLine()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.KnownHosts, cfg.SSHConfigPath = []string{kh}, "none"
	cfg.Signers, cfg.DefaultUser = []ssh.Signer{s.ClientSigner}, s.User
	r, err := runner.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	task := runner.Task{Host: inventory.Host{Name: "sshd", Address: "127.0.0.1", Port: s.Port}}
	byName := map[string]checks.Check{}
	ids := make([]string, len(cks))
	for i, c := range cks {
		task.Commands = append(task.Commands, runner.Command{ID: c.Name(), Line: c.Command(), Timeout: timeout})
		byName[c.Name()], ids[i] = c, c.Name()
	}
	out := make(chan runner.HostOutput, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	go func() { _ = r.Run(ctx, []runner.Task{task}, out) }()
	ho, ok := <-out
	if !ok {
		t.Fatal("no host output")
	}
	for range out {
	}
	return sweep.Evaluate(ho, ids, byName)
}

// pluginRun is what a plugin does when run here directly: the oracle.
type pluginRun struct {
	exit  int
	first string // first line, before any '|'
	out   []byte
}

func runPluginHere(t *testing.T, command string) pluginRun {
	t.Helper()
	out, err := exec.Command("sh", "-c", command).Output()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", command, err)
	}
	first, _, _ := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], "|")
	return pluginRun{exit: code, first: strings.Join(strings.Fields(first), " "), out: out}
}

// stem is the text of s before its first digit: what a plugin whose
// numbers change between two runs says both times ("LOAD OK - total load
// average: ").
func stem(s string) string {
	if i := strings.IndexAny(s, "0123456789"); i >= 0 {
		return s[:i]
	}
	return s
}

// TestRealPluginsOverSSHD runs the real Monitoring Plugins through the
// nagios check over a real OpenSSH sshd and compares fleetcheck's status
// and summary with the plugin's own exit status and first line, run
// directly here (issue 18: the plugin's verdict is the truth). All run
// as one host's checks: more checks than the host's 8 sessions, under a
// timeout that counts from each command's start.
func TestRealPluginsOverSSHD(t *testing.T) {
	needPlugins(t, "check_dummy", "check_load", "check_procs", "check_disk", "check_file_age", "check_tcp", "negate")
	s := sshdtest.Start(t)
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	old := filepath.Join(dir, "old")
	for _, f := range []string{fresh, old} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	p := func(name string) string { return filepath.Join(pluginDir, name) }
	long := "LONG OK - " + strings.Repeat("température 41°C, ", 30) + "fin"
	rows := []struct {
		cmd    string
		static bool // the first line is the same on every run
	}{
		{p("check_dummy") + " 0 'all good'", true},
		{p("check_dummy") + " 1 'queue is long'", true},
		{p("check_dummy") + " 2 'service down'", true},
		{p("check_dummy") + " 3 'cannot tell'", true},
		{p("check_dummy") + " 4 'bad state'", true},
		{p("check_dummy") + " 0 '" + long + "'", true},
		{p("negate") + " " + p("check_dummy") + " 0 'negated'", true},
		{p("negate") + " -o CRITICAL -w OK " + p("check_dummy") + " 0 'mapped'", true},
		{p("check_load") + " -w 1000,1000,1000 -c 2000,2000,2000", false},
		{p("check_load") + " -r -w 1000,1000,1000 -c 2000,2000,2000", false},
		{p("check_load") + " -w 0,0,0 -c 0,0,0", false},
		{p("check_procs") + " -w 1: -c 1: -C sshd", false},
		{p("check_procs") + " -c 0 -C sshd", false},
		{p("check_procs") + " -w 0 -C fleetcheck-no-such-process", true},
		{p("check_procs") + " -c 1: -C fleetcheck-no-such-process", true},
		{p("check_file_age") + " -f " + fresh + " -w 100000 -c 200000", false},
		{p("check_file_age") + " -f " + old + " -w 60 -c 120", false},
		{p("check_file_age") + " -f " + filepath.Join(dir, "missing"), true},
		{p("check_disk") + " -w 1% -c 1% -p /", false},
		{p("check_disk") + " -w 100% -c 100% -p /", false},
		{p("check_disk") + " -w 1% -c 1% -p /dev/shm", false},
		{p("check_disk") + " -w 10% -c 5% -p " + filepath.Join(dir, "nowhere"), true},
		{p("check_tcp") + " -H 127.0.0.1 -p " + strconv.Itoa(s.Port), false},
		{p("check_tcp") + " -H 127.0.0.1 -p 1", true},
		{p("check_nope") + " -x", true}, // not installed: the shell's 127
		// Over 1 MiB of output after a CRITICAL first line: the exit
		// status and the first line are still the verdict.
		{p("check_dummy") + " 2 'flooded'; rc=$?; yes 'a line of long output' | head -c 3000000; exit $rc", true},
		// No plugin of -basic writes units beyond the guidelines'; these
		// are as check_lm_sensors, check_mem and check_iostat write them.
		{unitsPlugin, true},
	}
	if _, err := os.Stat(p("check_swap")); err == nil {
		rows = append(rows, struct {
			cmd    string
			static bool
		}{p("check_swap") + " -w 10% -c 5%", false})
	}
	if _, err := os.Stat(p("check_users")); err == nil {
		rows = append(rows, struct {
			cmd    string
			static bool
		}{p("check_users") + " -w 1000 -c 2000", false})
	}
	var cks []checks.Check
	for i, row := range rows {
		c, err := checks.Builtins().New("nagios", fmt.Sprintf("p%02d", i), checks.Params{"command": row.cmd})
		if err != nil {
			t.Fatal(err)
		}
		cks = append(cks, c)
	}
	results := sweepOverSSHD(t, s, cks, 30*time.Second, runner.Config{HostTimeout: 4 * time.Minute})
	var table []string
	for i, row := range rows {
		want := runPluginHere(t, row.cmd)
		res := results[i]
		wantStatus := checks.Unknown
		if want.exit >= 0 && want.exit <= 3 {
			wantStatus = checks.Status(want.exit)
		}
		shown := strings.TrimPrefix(row.cmd, pluginDir+"/")
		shown = strings.ReplaceAll(shown, pluginDir+"/", "")
		shown = strings.ReplaceAll(shown, dir, "$TMP")
		if len(shown) > 70 {
			shown = shown[:67] + "..."
		}
		table = append(table, fmt.Sprintf("| `%s` | %d %s | %s | %s |", shown, want.exit, wantStatus, res.Status, clip(res.Summary, 60)))
		if res.Status != wantStatus || res.ErrorKind != "" {
			t.Errorf("%s: fleetcheck %s %q (%s), the plugin exited %d: %q\n%s", row.cmd, res.Status, res.Summary, res.ErrorKind, want.exit, want.first, res.Details)
			continue
		}
		wantReason := map[checks.Status]string{checks.OK: "", checks.Warning: checks.ReasonPluginWarning,
			checks.Critical: checks.ReasonPluginCritical, checks.Unknown: checks.ReasonPluginUnknown}[wantStatus]
		if want.exit == 127 {
			wantReason = checks.ReasonPluginMissing
		}
		if res.Reason != wantReason {
			t.Errorf("%s: reason %q, want %q", row.cmd, res.Reason, wantReason)
		}
		if want.exit == 127 {
			continue // the summary says "plugin not found", not the shell's words
		}
		if !utf8.ValidString(res.Summary) || strings.Contains(res.Summary, "\n") {
			t.Errorf("%s: summary %q is not one valid line", row.cmd, res.Summary)
		}
		switch {
		case utf8.RuneCountInString(want.first) > 300:
			if !strings.HasPrefix(want.first, strings.TrimSuffix(res.Summary, "…")) || !strings.Contains(res.Details, want.first) {
				t.Errorf("%s: summary %q, details %q: want the start of the line and the whole line in details", row.cmd, res.Summary, res.Details)
			}
		case row.static && res.Summary != want.first:
			t.Errorf("%s: summary %q, the plugin said %q", row.cmd, res.Summary, want.first)
		case !row.static && stem(res.Summary) != stem(want.first):
			t.Errorf("%s: summary %q, the plugin said %q", row.cmd, res.Summary, want.first)
		}
		if row.cmd == unitsPlugin && fmt.Sprint(units(res.Metrics)) != "[41.5°C 12kB 1500KiB 120ops 3.5MiB/s]" {
			t.Errorf("%s: metrics %v, want the values and units as written", row.cmd, units(res.Metrics))
		}
		if strings.Contains(res.Details, "perfdata item") {
			t.Errorf("%s: perfdata not understood: %s", row.cmd, res.Details)
		}
		if len(want.out) > 1<<20 && !strings.Contains(res.Details, "over the limit") {
			t.Errorf("%s: %d bytes of output, details do not say they were cut: %q", row.cmd, len(want.out), clip(res.Details, 200))
		}
	}
	t.Logf("%d plugin invocations over a real sshd, one host, %d sessions at most:\n| invocation | plugin exit | fleetcheck | summary |\n|---|---|---|---|\n%s",
		len(rows), 8, strings.Join(table, "\n"))
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// unitsPlugin prints perfdata with units real plugins write.
const unitsPlugin = `printf 'SENSORS OK - temp1 41.5°C | temp1=41.5°C;60;80 rx=12kB used=1500KiB;;;0;2048KiB ops=120ops io=3.5MiB/s\n'`

// units lists value and unit of each metric.
func units(ms []checks.Metric) []string {
	var out []string
	for _, m := range ms {
		out = append(out, strconv.FormatFloat(m.Value, 'f', -1, 64)+m.Unit)
	}
	return out
}

// TestHungPluginLeavesNothingOnTheHost runs plugins that hang past their
// deadline through a real sshd, as root where the tests run as root:
// OpenSSH refuses signal requests for root logins, and closing the
// session does not end the command, so only the deadline enforced on the
// host stops them (issue 18). After the sweep no process of theirs is
// left, the results are UNKNOWN timeout naming the configured deadline,
// and a plugin with no timeout of its own is bounded by the host's.
func TestHungPluginLeavesNothingOnTheHost(t *testing.T) {
	for _, tool := range []string{"pgrep", "sleep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
	}
	s := sshdtest.Start(t)
	dir := t.TempDir()
	// GNU sleep adds up its arguments: the marker is a unique, tiny
	// interval in the command line of the process that hangs, a child of
	// the plugin's shell as a plugin's stuck stat or df would be.
	marker := fmt.Sprintf("0.000%07d", os.Getpid()%10000000)
	plugin := func(name, body string) string {
		path := filepath.Join(dir, name)
		script := "#!/bin/sh\n" + body + "\necho 'HANG OK - starting'\nsleep 300 " + marker + " " + map[string]string{"check_hang": "0", "check_stubborn": "0.0"}[name] + "\necho done\n"
		if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	hang, stubborn := plugin("check_hang", ""), plugin("check_stubborn", "trap '' TERM")
	newCheck := func(name, cmd string) checks.Check {
		c, err := checks.Builtins().New("nagios", name, checks.Params{"command": cmd})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	seen := make(chan string, 1) // pgrep while the sweep runs: the marker finds them
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			if out, _ := exec.Command("pgrep", "-af", marker).Output(); strings.Count(string(out), "\n") >= 2 {
				seen <- string(out)
				return
			}
			time.Sleep(100 * time.Millisecond) // polling: processes of another program
		}
		seen <- ""
	}()
	start := time.Now()
	results := sweepOverSSHD(t, s, []checks.Check{newCheck("hang", hang), newCheck("stubborn", stubborn)}, 2*time.Second, runner.Config{HostTimeout: time.Minute})
	took := time.Since(start)
	// No timeout of its own: the host timeout (6 s) is its deadline.
	hostBound := sweepOverSSHD(t, s, []checks.Check{newCheck("hang-no-timeout", hang)}, 0, runner.Config{HostTimeout: 6 * time.Second})
	during := <-seen
	left := waitGone(t, marker, 5*time.Second)
	t.Logf("while the sweep ran (pgrep -af %s):\n%safter the sweeps (%s for the 2 s checks): %q", marker, during, took.Round(time.Millisecond), left)
	if during == "" {
		t.Error("pgrep never saw the hanging plugins: the test proves nothing")
	}
	if left != "" {
		t.Errorf("processes left on the host after the sweep:\n%s", left)
		endLeft(left)
	}
	for _, r := range results {
		if r.Status != checks.Unknown || r.ErrorKind != "timeout" || !strings.Contains(r.Summary, "2s deadline") {
			t.Errorf("%s: %s %s %q, want UNKNOWN timeout naming the 2s deadline", r.Check, r.Status, r.ErrorKind, r.Summary)
		}
	}
	if r := hostBound[0]; r.ErrorKind != "timeout" {
		t.Errorf("%s: %s %s %q, want a timeout", r.Check, r.Status, r.ErrorKind, r.Summary)
	}
}

// waitGone waits up to d for no process to have marker in its command
// line and returns what is left (pgrep -af), "" for nothing.
func waitGone(t *testing.T, marker string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		out, _ := exec.Command("pgrep", "-af", marker).Output()
		left := ""
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" && !strings.Contains(l, "pgrep") {
				left += l + "\n"
			}
		}
		if left == "" || time.Now().After(deadline) {
			return left
		}
		time.Sleep(100 * time.Millisecond) // polling: another program's processes
	}
}

// endLeft kills, by pid, the processes a failed test left (pgrep -af lines).
func endLeft(pgrepOut string) {
	for _, l := range strings.Split(strings.TrimSpace(pgrepOut), "\n") {
		if pid, err := strconv.Atoi(strings.Fields(l + " x")[0]); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
	}
}
