package state

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

const (
	crashChildEnv = "FLEETCHECK_STATE_CRASH_CHILD" // the store file the child records into
	crashHosts    = 300
)

// TestMain lets the test binary act as the recording process that
// TestCrashConsistency kills.
func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	sharedPG.Stop()
	os.Exit(code)
}

// crashChild records sweeps into path until killed, printing "committed
// ID" after each commit. Sweep k fails host i when (i+k) % 7 == 0, so
// episodes open and resolve in every sweep.
func crashChild(path string) error {
	ctx := context.Background()
	s, err := OpenAny(ctx, path, Options{})
	if err != nil {
		return err
	}
	defer s.Close()
	hosts := make([]string, crashHosts)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("host%04d", i)
	}
	for k := 0; k < 10000; k++ {
		r, err := s.Begin(ctx, SweepInfo{Query: "all", Checks: []string{"disk"}, Hosts: hosts, Inventory: hosts, Configured: []string{"disk"}})
		if err != nil {
			return err
		}
		for i, h := range hosts {
			st := health.OK
			if (i+k)%7 == 0 {
				st = health.Critical
			}
			if _, err := r.Add(ctx, health.Record{Result: health.Result{Host: h, Check: "disk", Status: st, Summary: "disk"}}); err != nil {
				return err
			}
		}
		sw, err := r.Commit(ctx, SweepEnd{Complete: true})
		if err != nil {
			return err
		}
		fmt.Printf("committed %d\n", sw.ID)
	}
	return nil
}

// TestCrashConsistency kills a recording process with SIGKILL at random
// points: the store must open, pass integrity_check and hold exactly the
// sweeps that committed, each whole. On SQLite (a file) and PostgreSQL
// (the server rolls back the killed connection's transaction).
func TestCrashConsistency(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 30 child processes")
	}
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) { testCrashConsistency(t, fresh(t)) })
}

func testCrashConsistency(t *testing.T, path string) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	committed := map[int64]bool{}
	for iter := 0; iter < 30; iter++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan []int64, 1)
		go func() {
			var ids []int64
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if id, err := strconv.ParseInt(strings.TrimPrefix(sc.Text(), "committed "), 10, 64); err == nil {
					ids = append(ids, id)
				}
			}
			lines <- ids
		}()
		time.Sleep(time.Duration(20+rng.IntN(400)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		ids := <-lines
		werr := cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Fatalf("iteration %d: the child ended on its own (%v): %s", iter, werr, stderr.String())
		}
		for _, id := range ids {
			committed[id] = true
		}
		verifyCrashStore(t, path, committed)
	}
	t.Logf("%d sweeps committed over 30 kills", len(committed))
}

func verifyCrashStore(t *testing.T, path string, committed map[int64]bool) {
	t.Helper()
	ctx := context.Background()
	s, err := OpenAny(ctx, path, Options{})
	if err != nil {
		t.Fatalf("the store does not open after a kill: %v", err)
	}
	defer s.Close()
	checkIntegrity(t, s)
	sweeps, err := s.Sweeps(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]bool{}
	for _, sw := range sweeps {
		stored[sw.ID] = true
		if !sw.Complete || sw.Counts.Results != crashHosts || sw.Finished.IsZero() {
			t.Fatalf("sweep %d stored in part: %+v", sw.ID, sw)
		}
		if !committed[sw.ID] {
			// Committed, then killed before the child could say so: the
			// newest sweep only, and it is whole (checked above).
			if sw.ID != sweeps[0].ID {
				t.Fatalf("sweep %d stored but never reported committed", sw.ID)
			}
			committed[sw.ID] = true
		}
	}
	for id := range committed {
		if !stored[id] {
			t.Fatalf("sweep %d committed but lost", id)
		}
	}
	// Every episode's first and last sweep exist, and each sweep's counts
	// agree with the episodes it opened and ended.
	var orphans, mismatched int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM episodes e LEFT JOIN sweeps f ON f.id = e.first_sweep
		LEFT JOIN sweeps l ON l.id = e.last_sweep WHERE f.id IS NULL OR l.id IS NULL`).Scan(&orphans); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sweeps s
		LEFT JOIN (SELECT first_sweep AS id, count(*) AS n FROM episodes GROUP BY first_sweep) o ON o.id = s.id
		LEFT JOIN (SELECT end_sweep AS id, count(*) AS n FROM episodes WHERE end_sweep IS NOT NULL GROUP BY end_sweep) f ON f.id = s.id
		WHERE s.opened != coalesce(o.n, 0) OR s.fixed != coalesce(f.n, 0)`).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if orphans != 0 || mismatched != 0 {
		t.Fatalf("%d episodes of missing sweeps, %d sweeps whose counts disagree with their episodes", orphans, mismatched)
	}
}
