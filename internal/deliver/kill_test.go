package deliver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// childDir, set in a re-executed test binary, names the fixture's
// directory: the child posts from it once, as digest --post would.
const childDir = "FLEETCHECK_DELIVER_CHILD"

// TestKilledBetweenSendAndMark: a post is SIGKILLed (a real kill of a
// child process) after its webhook delivery was read by the receiver and
// before the outbox could mark it. The next post sends the same
// webhook-id again, and nothing else is queued or sent twice.
func TestKilledBetweenSendAndMark(t *testing.T) {
	if dir := os.Getenv(childDir); dir != "" {
		postFromDir(t, dir)
		return
	}
	var mu sync.Mutex
	var got []string
	pid := make(chan int, 1) // the child's, once started
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) //nolint:errcheck // only the header matters
		mu.Lock()
		got = append(got, r.Header.Get("webhook-id"))
		first := len(got) == 1
		mu.Unlock()
		if first {
			syscall.Kill(<-pid, syscall.SIGKILL) //nolint:errcheck // the test checks what follows
			<-r.Context().Done()
			return
		}
	}))
	defer srv.Close()
	_, urls := newServers(t)
	urls["ops.url"] = srv.URL + "/hook"
	f := newFixture(t, urls, "")
	f.clock.t = time.Now().Add(-time.Hour) // the child posts in real time: no SLA breached yet
	f.sweep(map[string]health.Status{"db1": health.Critical})

	child := exec.Command(os.Args[0], "-test.run=^TestKilledBetweenSendAndMark$", "-test.v")
	child.Env = append(os.Environ(), childDir+"="+f.dir)
	var out strings.Builder
	child.Stdout, child.Stderr = &out, &out
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	pid <- child.Process.Pid
	err := child.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("the child was not killed: %v\n%s", err, out.String())
	}
	mu.Lock()
	t.Logf("child killed after the receiver read %v; outbox: %q", got, f.rows())
	mu.Unlock()

	// The dead child's claim lasts until its deadline: the next post runs
	// after it (the store's clock an hour on).
	later := func() time.Time { return time.Now().Add(time.Hour) }
	s, err := state.Open(context.Background(), f.db, state.Options{Now: later})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.clock.t = later()
	rep := f.post(s, 10*time.Second)
	t.Logf("next post: %v; outbox: %q", states(rep.Result), f.rows())
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []string{"fc-1.ops.webhook", "fc-1.ops.webhook"}) {
		t.Errorf("the webhook got %v, want fc-1.ops.webhook twice (the receiver drops the second)", got)
	}
	if rows := f.rows(); len(rows) != 1 || rows[0] != "fc-1.ops.webhook delivered attempts=1 " {
		t.Errorf("outbox %q, want the one delivery, delivered", rows)
	}
}

// postFromDir is the child's post: the fixture's files, real time.
func postFromDir(t *testing.T, dir string) {
	owners, err := ownership.Load(filepath.Join(dir, "owners.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Build(BuildOptions{Owners: owners, Config: &config.Config{}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := state.Open(context.Background(), filepath.Join(dir, "fleet.db"), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := Post(ctx, Options{Store: s, Owners: owners, Receivers: rs}); err != nil {
		t.Fatal(err)
	}
	t.Fatal("the child was to be killed before its post ended")
}
