package report

import (
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/schollz/progressbar/v3"
)

// progressThrottle bounds how often the progress line is redrawn.
const progressThrottle = 100 * time.Millisecond

// progressTick is how often the line is redrawn while nothing finishes, so
// that its clock keeps ticking.
const progressTick = time.Second

// Which pending hosts the line names: once no host has finished for
// waitingAfter, or once at most waitingFew are left, it says "waiting on"
// them, as a node set when that fits in waitingWidth columns, else as a
// count.
const (
	waitingAfter = 2 * time.Second
	waitingFew   = 8
	waitingWidth = 60
)

// Progress draws a one-line progress bar on a terminal (stderr): hosts done
// of total, failures so far, elapsed time and ETA and, when the sweep waits
// on slow hosts, which ones. It is safe for concurrent use. The caller
// creates it only when stderr is a terminal and --no-progress is absent,
// and calls Finish.
type Progress struct {
	mu       sync.Mutex
	bar      *progressbar.ProgressBar // nil when total is 0
	total    int
	done     int
	failed   int
	finished bool
	pending  map[string]bool // hosts not finished yet; nil when not tracked
	last     time.Time       // when a host last finished (or the start)
	stop     chan struct{}   // closed by Finish; stops the ticker
	ticker   sync.WaitGroup
}

// NewProgress starts a progress bar for total hosts, drawn on w.
func NewProgress(w io.Writer, total int) *Progress {
	return newProgress(w, total, nil, progressTick)
}

// NewHostProgress starts a progress bar for the named hosts, drawn on w;
// report each with HostFinished, so that the line can name the hosts the
// sweep still waits on.
func NewHostProgress(w io.Writer, hosts []string) *Progress {
	return newProgress(w, len(hosts), hosts, progressTick)
}

// newProgress builds the bar and starts its ticker (every tick).
func newProgress(w io.Writer, total int, hosts []string, tick time.Duration) *Progress {
	p := &Progress{total: total, last: time.Now(), stop: make(chan struct{})}
	if hosts != nil {
		p.pending = make(map[string]bool, len(hosts))
		for _, h := range hosts {
			p.pending[h] = true
		}
	}
	if total <= 0 {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.describe(time.Now())),
		progressbar.OptionSetWidth(20),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("hosts"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionThrottle(progressThrottle),
		progressbar.OptionSetRenderBlankState(true),
	)
	p.ticker.Add(1)
	go p.tick(tick)
	return p
}

// tick redraws the line every d until Finish, so that the clock moves and
// the hosts waited on show while no host finishes.
func (p *Progress) tick(d time.Duration) {
	defer p.ticker.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			if !p.finished {
				p.bar.Describe(p.describe(now))
			}
			p.mu.Unlock()
		}
	}
}

// HostDone counts one host as finished, failed when any of its results is
// not OK.
func (p *Progress) HostDone(failed bool) { p.HostFinished("", failed) }

// HostFinished counts host as finished, failed when any of its results is
// not OK, and no longer waited on.
func (p *Progress) HostFinished(host string, failed bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || p.done >= p.total {
		return
	}
	delete(p.pending, host)
	p.done++
	if failed {
		p.failed++
	}
	p.last = time.Now()
	if p.bar != nil {
		p.bar.Describe(p.describe(p.last))
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
	if p.finished {
		p.mu.Unlock()
		return
	}
	p.finished = true
	close(p.stop)
	p.mu.Unlock()
	p.ticker.Wait()
	if p.bar != nil {
		_ = p.bar.Clear()
		_ = p.bar.Exit()
	}
}

// describe is the text before the bar: "sweeping, 3 failed", then the hosts
// waited on when the sweep waits on a few or has stalled. Called with mu
// held.
func (p *Progress) describe(now time.Time) string {
	text := fmt.Sprintf("sweeping, %d failed", p.failed)
	n := len(p.pending)
	if n == 0 || (n > waitingFew && now.Sub(p.last) < waitingAfter) {
		return text
	}
	hosts := make([]string, 0, n)
	for h := range p.pending {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	if set := fmt.Sprintf("(%d) %s", n, sanitize(nodeset.Fold(hosts), false)); textWidth(set) <= waitingWidth {
		return text + ", waiting on " + set
	}
	return text + fmt.Sprintf(", waiting on %d %s", n, plural(n, "host", "hosts"))
}
