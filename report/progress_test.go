package report

import (
	"bytes"
	"strings"
	"sync"
	"testing"
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
