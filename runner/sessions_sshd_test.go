package runner

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
)

// TestSSHDSessionsRefusedForAWhile: a real sshd that allows fewer
// sessions at once than the runner opens (MaxSessions 4 against the
// runner's 8) refuses the others ("rejected: connect failed", as a
// default sshd does under load while it reaps finished sessions): each
// command retries its session until one is free, within its timeout, and
// every command runs.
func TestSSHDSessionsRefusedForAWhile(t *testing.T) {
	s := sshdtest.StartWith(t, sshdtest.Options{MaxSessions: 4})
	r := sshdRunner(t, s, s.HostKeyLine(), Config{HostTimeout: 2 * time.Minute})
	task := Task{Host: sshdHost(s)}
	for i := range 8 {
		task.Commands = append(task.Commands, Command{ID: fmt.Sprintf("c%d", i), Line: "sleep 0.3; echo done", Timeout: 30 * time.Second})
	}
	outs, took, _ := runTasks(t, context.Background(), r, []Task{task}, 2*time.Minute)
	for _, c := range outs[0].Commands {
		if c.Err != nil || string(c.Stdout) != "done\n" {
			t.Errorf("%s: err %v stdout %q after %s", c.ID, c.Err, c.Stdout, c.Duration)
		}
	}
	if !strings.Contains(s.Logs(), "no more sessions") {
		t.Errorf("sshd never refused a session (MaxSessions 4, 8 at once): the test did not test the retry\n%s", s.Logs())
	}
	t.Logf("8 commands of 0.3 s through 4 sessions: all done in %s", took.Round(time.Millisecond))
}
