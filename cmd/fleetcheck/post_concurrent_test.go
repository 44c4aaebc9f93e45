package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/state"
)

// TestTwoDigestPostsAtOnce: two `fleetcheck digest --post` processes
// started together on one store, with what two earlier posts left queued
// (the receiver was down) and the newest sweep's digests to queue: every
// delivery id reaches the one webhook receiver exactly once, in sweep
// order for each team, and the outbox ends with everything delivered.
// Each post exits 0: the outbox is claimed row by row in the write
// transaction, so a post finds what the other holds already taken and
// has nothing of its own queued or refused. 75 is accepted only where a
// post says it found the store locked and queued nothing (SQLite's busy
// timeout on a machine too loaded for it); the other then delivers it
// all. On SQLite and on PostgreSQL.
func TestTwoDigestPostsAtOnce(t *testing.T) {
	for _, b := range stateBackends {
		t.Run(b.name, func(t *testing.T) { testTwoDigestPostsAtOnce(t, b.fresh(t)) })
	}
}

func testTwoDigestPostsAtOnce(t *testing.T, db string) {
	_, args := simFiles(t, 6, fleetsim.FaultRefuse, fleetsim.FaultRefuse) // node00001 (role=web), node00002 (role=cache)
	dir := t.TempDir()
	hook := &slowHook{}
	srv := httptest.NewServer(hook)
	t.Cleanup(srv.Close)
	writeFile(t, dir, "hook.url", srv.URL+"/hook")
	owners := writeFile(t, dir, "owners.yaml", "fallback: ops\nteams:\n"+
		"  ops:\n    webhook: {url_file: hook.url}\n  db:\n    webhook: {url_file: hook.url}\n"+
		"rules:\n  - {id: all, hosts: all, owner: ops}\n  - {id: caches, hosts: 'role=cache', owner: db}\n")
	sweep := func() {
		t.Helper()
		if _, stderr, code := runBinary(t, append([]string{"sweep", "--no-progress", "--timeout", "5s", "--state", db, "--owners", owners}, args...)...); code == 64 || code == 78 {
			t.Fatalf("sweep: exit %d: %s", code, stderr)
		}
	}
	post := []string{"digest", "--post", "--state", db, "--owners", owners}

	// Two sweeps posted while the receiver is down: their digests stay queued.
	hook.set(http.StatusServiceUnavailable, 0)
	for range 2 {
		sweep()
		if stdout, stderr, code := runBinary(t, append(post, "--post-timeout", "1s")...); code != 75 {
			t.Fatalf("a post with the receiver down: exit %d, want 75\n%s%s", code, stdout, stderr)
		}
	}
	sweep()
	// Up again but slow, so that the second post starts while the first
	// holds what it claimed.
	hook.set(http.StatusOK, 100*time.Millisecond)
	before := len(hook.requests())

	type proc struct {
		cmd            *exec.Cmd
		stdout, stderr bytes.Buffer
		err            error
		exited         time.Time
	}
	procs := make([]*proc, 2)
	for i := range procs {
		p := &proc{cmd: exec.Command(binary, post...)}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		p.cmd.Env = append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG=")
		procs[i] = p
	}
	started := time.Now()
	for _, p := range procs {
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() { p.err = p.cmd.Wait(); p.exited = time.Now() })
	}
	wg.Wait()
	for i, p := range procs {
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(p.err, &ee) {
			code = ee.ExitCode()
		} else if p.err != nil {
			t.Fatal(p.err)
		}
		t.Logf("post %d: exit %d after %v\n%s%s", i, code, p.exited.Sub(started).Round(time.Millisecond), p.stdout.String(), p.stderr.String())
		switch {
		case code == 0:
		case code == 75 && strings.Contains(p.stderr.String(), "nothing was queued"):
		default:
			t.Errorf("post %d: exit %d, want 0 (or 75 for a locked store)", i, code)
		}
	}

	// What the receiver was sent during the two posts: each id once.
	var got []string
	took := hook.requests()[before:]
	if len(took) > 0 {
		t.Logf("the receiver took requests from %v to %v after the start", took[0].at.Sub(started).Round(time.Millisecond), took[len(took)-1].at.Sub(started).Round(time.Millisecond))
	}
	for _, r := range took {
		if r.status != http.StatusOK {
			t.Errorf("the receiver answered %d to %s", r.status, r.id)
		}
		got = append(got, r.id)
	}
	for _, team := range []string{"ops", "db"} {
		var mine []string
		for _, id := range got {
			if strings.Contains(id, "."+team+".") {
				mine = append(mine, id)
			}
		}
		want := []string{fmt.Sprintf("fc-1.%s.webhook", team), fmt.Sprintf("fc-2.%s.webhook", team), fmt.Sprintf("fc-3.%s.webhook", team)}
		if !slices.Equal(mine, want) {
			t.Errorf("team %s was sent %v, want %v (each once, in order)", team, mine, want)
		}
	}
	if len(got) != 6 {
		t.Errorf("the receiver took %d requests during the two posts, want 6: %v", len(got), got)
	}

	s, err := state.OpenAny(context.Background(), db, state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Outbox(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	delivered := 0
	for _, r := range rows {
		if r.State != state.OutboxDelivered || r.ClaimedBy != "" {
			t.Errorf("outbox row %s: state %s, claimed by %q; want delivered, unclaimed", r.ID, r.State, r.ClaimedBy)
		}
		delivered++
	}
	if delivered != 6 {
		t.Errorf("the outbox holds %d rows, want the 6 digests", delivered)
	}
}

// slowHook is a webhook receiver that answers every request with one
// status after a delay, recording each request's webhook-id.
type slowHook struct {
	mu     sync.Mutex
	status int
	delay  time.Duration
	got    []hookRequest
}

// hookRequest is one request slowHook was sent and what it answered.
type hookRequest struct {
	id     string
	status int
	at     time.Time
}

// set makes the next requests wait delay, then answer status.
func (h *slowHook) set(status int, delay time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.delay = status, delay
}

func (h *slowHook) requests() []hookRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

func (h *slowHook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h.mu.Lock()
	status, delay := h.status, h.delay
	h.got = append(h.got, hookRequest{id: r.Header.Get("webhook-id"), status: status, at: time.Now()})
	h.mu.Unlock()
	time.Sleep(delay)
	w.WriteHeader(status)
}
