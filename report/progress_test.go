package report

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the bar's concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestProgressConcurrent(t *testing.T) {
	var out lockedBuffer
	const hosts = 200
	p := NewProgress(&out, hosts)
	var wg sync.WaitGroup
	for i := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.HostDone(i%10 == 0)
		}()
	}
	wg.Wait()
	done, failed := p.Done()
	if done != hosts || failed != hosts/10 {
		t.Errorf("done %d failed %d, want %d and %d", done, failed, hosts, hosts/10)
	}
	text := out.String()
	if !strings.Contains(text, "200/200") {
		t.Errorf("progress never showed 200/200: %q", lastLine(text))
	}
	if !strings.Contains(text, "20 failed") {
		t.Errorf("progress never showed the failures: %q", lastLine(text))
	}
	p.Finish()
	p.HostDone(true) // ignored after Finish
	if done, _ := p.Done(); done != hosts {
		t.Errorf("HostDone after Finish counted: %d", done)
	}
}

func TestProgressZeroTotal(t *testing.T) {
	var out bytes.Buffer
	p := NewProgress(&out, 0)
	p.HostDone(false)
	p.Finish()
	if out.Len() != 0 {
		t.Errorf("wrote %q for an empty sweep", out.String())
	}
}

// lastLine is the last carriage-return separated frame of a progress bar.
func lastLine(s string) string {
	frames := strings.Split(s, "\r")
	return frames[len(frames)-1]
}

// The line names the hosts still pending once only a few are left, or once
// nothing has finished for a while.
func TestProgressWaitingOn(t *testing.T) {
	var out lockedBuffer
	var hosts []string
	for i := range 20 {
		hosts = append(hosts, fmt.Sprintf("web%02d.example.org", i+1))
	}
	p := NewHostProgress(&out, hosts)
	defer p.Finish()
	for _, h := range hosts[:10] {
		p.HostFinished(h, h == "web03.example.org")
	}
	now := time.Now()
	p.mu.Lock()
	early, stalled := p.describe(now), p.describe(now.Add(waitingAfter))
	p.mu.Unlock()
	if strings.Contains(early, "waiting") {
		t.Errorf("10 pending, just finished one: %q", early)
	}
	if want := "sweeping, 1 failed, waiting on (10) web[11-20].example.org"; stalled != want {
		t.Errorf("stalled: %q, want %q", stalled, want)
	}
	for _, h := range hosts[10:18] {
		p.HostFinished(h, false)
	}
	p.mu.Lock()
	few := p.describe(time.Now())
	p.mu.Unlock()
	if want := "sweeping, 1 failed, waiting on (2) web[19-20].example.org"; few != want {
		t.Errorf("two left: %q, want %q", few, want)
	}
}

// The line is redrawn while no host finishes, so its clock moves.
func TestProgressClockTicks(t *testing.T) {
	var out lockedBuffer
	p := newProgress(&out, 3, []string{"a", "b", "c"}, 5*time.Millisecond)
	defer p.Finish()
	p.HostFinished("a", false)
	before := strings.Count(out.String(), "\r")
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "\r") < before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("no redraw in 10s while waiting: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
