package report

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressThrottle bounds how often the progress line is redrawn.
const progressThrottle = 100 * time.Millisecond

// Progress draws a one-line progress bar on a terminal (stderr): hosts done
// of total, failures so far, rate and ETA. It is safe for concurrent use.
// The caller creates it only when stderr is a terminal and --no-progress is
// absent.
type Progress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar // nil when total is 0
	total    int
	done     int
	failed   int
	finished bool
}

// NewProgress starts a progress bar for total hosts, drawn on w.
func NewProgress(w io.Writer, total int) *Progress {
	p := &Progress{total: total}
	if total <= 0 {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.describe()),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("hosts"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(progressThrottle),
		progressbar.OptionSetRenderBlankState(true),
	)
	return p
}

// HostDone counts one host as finished, failed when any of its results is
// not OK.
func (p *Progress) HostDone(failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || p.done >= p.total {
		return
	}
	p.done++
	if failed {
		p.failed++
	}
	if p.bar != nil {
		p.bar.Describe(p.describe())
		_ = p.bar.Add(1) // drawing errors on a terminal are not worth failing a sweep
	}
}

// Done returns the hosts finished and failed so far.
func (p *Progress) Done() (done, failed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done, p.failed
}

// Finish removes the progress line so the report starts on a clean line;
// later calls of HostDone are ignored.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished {
		return
	}
	p.finished = true
	if p.bar != nil {
		_ = p.bar.Clear()
		_ = p.bar.Exit()
	}
}

// describe is the text before the bar: "sweeping, 3 failed".
func (p *Progress) describe() string {
	return fmt.Sprintf("sweeping, %d failed", p.failed)
}
