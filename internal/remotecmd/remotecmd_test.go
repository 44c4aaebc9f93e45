package remotecmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWrapUnwrap(t *testing.T) {
	for _, line := range []string{
		"echo hi",
		"printf '%s\\n' 'it'\"'\"'s'; exit 2",
		"a='x'; b=\"$a\" ; echo \"$b\" | sed 's/x/y/'",
		"",
		"multi\nline\n'''",
	} {
		w := Wrap(line, 2500*time.Millisecond, time.Second)
		got, d, k, ok := Unwrap(w)
		if !ok || got != line || d != 2500*time.Millisecond || k != time.Second {
			t.Errorf("Unwrap(Wrap(%q)) = %q, %s, %s, %v", line, got, d, k, ok)
		}
		out, err := exec.Command("sh", "-c", Wrap("printf %s "+shellQuote(line), time.Minute, time.Second)).Output()
		if err != nil || string(out) != line {
			t.Errorf("wrapped printf of %q printed %q (%v)", line, out, err)
		}
	}
	if got := Wrap("echo hi", 0, time.Second); got != "echo hi" {
		t.Errorf("Wrap with no deadline = %q", got)
	}
	for _, bad := range []string{"echo hi", "fc_c='echo", "fc_c='echo'; something else"} {
		if got, _, _, ok := Unwrap(bad); ok || got != bad {
			t.Errorf("Unwrap(%q) = %q, %v; want it unchanged, false", bad, got, ok)
		}
	}
}

// shellQuote quotes s as one sh word.
func shellQuote(s string) string { return "'" + quote(s) + "'" }

// TestWrapStopsOnTheHost runs wrapped commands with a real sh, with
// timeout(1) on the PATH and without it (the POSIX fallback): the exit
// status says the deadline stopped them, in about the deadline, and no
// process of theirs is left.
func TestWrapStopsOnTheHost(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	noTimeout := t.TempDir() // a PATH with the tools the fallback needs but no timeout
	for _, tool := range []string{"sh", "sleep", "pgrep"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("no %s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(noTimeout, tool)); err != nil {
			t.Fatal(err)
		}
	}
	_, haveTimeout := exec.LookPath("timeout")
	for i, tc := range []struct {
		name, path, line string
		leader           bool // the shell leads its process group, as under sshd
		wantCode         []int
	}{
		{"timeout", os.Getenv("PATH"), "sleep 30", false, []int{124}},
		{"timeout, TERM ignored", os.Getenv("PATH"), "trap '' TERM; sleep 30; : ", false, []int{-1}}, // KILLed: timeout dies with its group
		// Not a group leader: the fallback reaches the command's own
		// process only, and dash's sh -c leaves its child sleep behind
		// (the limit README states); the test ends that sleep itself.
		{"fallback", noTimeout, "sleep 30", false, []int{-1}}, // TERMed; the wrapper dies of it too
		// The plugin's shell dies of the TERM, timeout returns, and the
		// plugin's child that ignores TERM is KILLed by the wrapper.
		{"timeout, a child ignores TERM", os.Getenv("PATH"), `sh -c "trap '' TERM; sleep 30; :"`, true, []int{124}},
		{"fallback, group leader", noTimeout, "sleep 30; : ", true, []int{-1}},                             // TERMed with its group
		{"fallback, group leader, TERM ignored", noTimeout, "trap '' TERM; sleep 30; : ", true, []int{-1}}, // the shell is TERMed, the rest KILLed
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.path != noTimeout && haveTimeout != nil {
				t.Skip("no timeout(1) here")
			}
			// GNU sleep adds up its arguments: the marker is a unique
			// zero-ish interval in the command line of the process to end.
			marker := fmt.Sprintf("0.000%06d%03d", os.Getpid()%1000000, i)
			line := strings.Replace(tc.line, "sleep 30", "sleep 30 "+marker, 1)
			cmd := exec.Command(sh, "-c", Wrap(line, 300*time.Millisecond, 500*time.Millisecond))
			cmd.Env = []string{"PATH=" + tc.path}
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: tc.leader}
			start := time.Now()
			err := cmd.Run()
			took := time.Since(start)
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if !contains(tc.wantCode, code) {
				t.Errorf("exit %d (%v), want one of %v", code, err, tc.wantCode)
			}
			if took > 5*time.Second {
				t.Errorf("took %s", took)
			}
			sig := ""
			if code == -1 {
				sig = ee.ProcessState.Sys().(syscall.WaitStatus).Signal().String()
				sig = map[string]string{"killed": "KILL", "terminated": "TERM"}[sig]
			}
			if !StoppedByDeadline(code, sig, took, 300*time.Millisecond) {
				t.Errorf("StoppedByDeadline(%d, %q, %s) = false", code, sig, took)
			}
			left := waitGone(t, marker, 3*time.Second)
			if tc.path == noTimeout && !tc.leader {
				endLeft(t, left)
				return
			}
			if left != "" {
				t.Errorf("left running:\n%s", left)
			}
		})
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// waitGone waits up to d for no process to have marker in its command
// line and returns what is left (pgrep -af), "" for nothing.
func waitGone(t *testing.T, marker string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		out, _ := exec.Command("pgrep", "-af", marker).Output()
		if len(out) == 0 || time.Now().After(deadline) {
			return string(out)
		}
		time.Sleep(50 * time.Millisecond) // polling: another process's end has nothing to wait on
	}
}

// endLeft kills, by pid, the processes pgrep -af listed.
func endLeft(t *testing.T, pgrepOut string) {
	t.Helper()
	for _, l := range strings.Split(strings.TrimSpace(pgrepOut), "\n") {
		if pid, err := strconv.Atoi(strings.Fields(l + " x")[0]); err == nil {
			if p, err := os.FindProcess(pid); err == nil {
				_ = p.Kill()
			}
		}
	}
}

func TestStoppedByDeadline(t *testing.T) {
	for _, tc := range []struct {
		code     int
		signal   string
		ran      time.Duration
		deadline time.Duration
		want     bool
	}{
		{124, "", 2 * time.Second, 2 * time.Second, true},
		{124, "", time.Second, 2 * time.Second, false}, // the command's own 124, early
		{143, "", 3 * time.Second, 2 * time.Second, true},
		{137, "", 3 * time.Second, 2 * time.Second, true},
		{-1, "KILL", 3 * time.Second, 2 * time.Second, true},
		{-1, "SEGV", 3 * time.Second, 2 * time.Second, false},
		{2, "", 3 * time.Second, 2 * time.Second, false},
		{124, "", 3 * time.Second, 0, false},
	} {
		if got := StoppedByDeadline(tc.code, tc.signal, tc.ran, tc.deadline); got != tc.want {
			t.Errorf("StoppedByDeadline(%d, %q, %s, %s) = %v, want %v", tc.code, tc.signal, tc.ran, tc.deadline, got, tc.want)
		}
	}
}
