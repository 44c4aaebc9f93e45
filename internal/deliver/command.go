package deliver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// ExitError is an error of Run with the exit code SPEC gives it; an empty
// message is an exit code alone (a post that queued or was refused).
type ExitError struct {
	Err  error // nil: no message
	Code int
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

// Unwrap is the error behind the code.
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the process exit code.
func (e *ExitError) ExitCode() int { return e.Code }

// Flags are digest's delivery flags as given (--post, --dry-run,
// --post-timeout) with the digest flags they cannot go with.
type Flags struct {
	Post, DryRun bool
	Timeout      string // --post-timeout, a duration
	Team, Since  string // digest --team, --since
	Format       string // digest -o
}

// Active reports whether digest delivers (--post) or shows what it would
// (--dry-run) rather than printing a digest.
func (f Flags) Active() bool { return f.Post || f.DryRun }

// Check refuses a combination that --post cannot take, naming the flag to
// drop, and returns --post-timeout (0 when not Active).
func (f Flags) Check() (time.Duration, error) {
	if !f.Active() {
		return 0, nil
	}
	switch {
	case f.Team != "":
		return 0, errors.New("--post delivers every team's digest: drop --team")
	case f.Since != "":
		return 0, errors.New("--post delivers what is new since each team's last delivery: drop --since")
	case f.Format != "markdown":
		return 0, fmt.Errorf("--post prints a line per delivery: drop -o %s", f.Format)
	}
	d, err := duration.Parse(f.Timeout)
	if err != nil {
		return 0, fmt.Errorf("--post-timeout %q: %w", f.Timeout, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("--post-timeout %q: expected a duration above 0 such as 3m", f.Timeout)
	}
	return d, nil
}

// RunOptions are the inputs of digest --post and --dry-run.
type RunOptions struct {
	Store   state.Store
	Owners  *ownership.File
	Config  *config.Config // notify:
	DryRun  bool           // print what would be sent, record nothing
	Timeout time.Duration  // the whole post's (--post-timeout)
	Logger  *slog.Logger
}

// Run is digest --post and --dry-run: receivers first (a receiver that
// cannot be used is a configuration error, 78, before anything is
// queued), then queue and deliver, a line per delivery on w. A locked
// store is 75 (nothing was queued); what was queued or refused is the
// post's code (Report.ExitCode); other failures are 1.
func Run(ctx context.Context, o RunOptions, w io.Writer) error {
	rs, err := Build(BuildOptions{Owners: o.Owners, Config: o.Config})
	if err != nil {
		return &ExitError{err, health.ExitConfig}
	}
	opts := Options{Store: o.Store, Owners: o.Owners, Receivers: rs, Timeout: o.Config.Notify.Timeout, Logger: o.Logger}
	if o.DryRun {
		return failed(DryRun(ctx, opts, w))
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	rep, err := Post(ctx, opts)
	if errors.Is(err, state.ErrLocked) {
		return &ExitError{fmt.Errorf("%w; nothing was queued", err), notify.ExitQueued}
	}
	if werr := WriteSummary(w, rep.Result); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return failed(err)
	}
	if code := rep.ExitCode(); code != 0 {
		return &ExitError{Code: code}
	}
	return nil
}

// failed is err (if any) as exit 1.
func failed(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{err, 1}
}
