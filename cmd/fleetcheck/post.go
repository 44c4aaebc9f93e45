package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/fleetcheck/fleetcheck/internal/deliver"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/urfave/cli/v2"
)

// postOptions are digest --post's options.
type postOptions struct {
	post, dryRun bool
	timeout      string
}

func postFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "post", Usage: "deliver each team's digest, escalations and alerts (exit 0, 75 queued, 76 refused)"},
		&cli.BoolFlag{Name: "dry-run", Usage: "with --post: print what would be sent, record nothing"},
		&cli.StringFlag{Name: "post-timeout", Value: "3m", Usage: "--post ends within this `DURATION`; what is not delivered stays queued"},
	}
}

func readPost(c *cli.Context) postOptions {
	return postOptions{post: c.Bool("post"), dryRun: c.Bool("dry-run"), timeout: c.String("post-timeout")}
}

// check refuses what --post cannot take.
func (p *postOptions) check(o *digestOptions) error {
	if !p.post && !p.dryRun {
		return nil
	}
	switch {
	case o.team != "":
		return usageError("--post delivers every team's digest: drop --team")
	case o.since != "":
		return usageError("--post delivers what is new since each team's last delivery: drop --since")
	case o.format != "markdown":
		return usageError("--post prints a line per delivery: drop -o %s", o.format)
	}
	if d, err := duration.Parse(p.timeout); err != nil || d <= 0 {
		return usageError("--post-timeout %q: %v", p.timeout, cmpErr(err, "want a duration above 0 such as 3m"))
	}
	return nil
}

// runPost is digest --post and --dry-run: receivers first (a receiver
// that cannot be used is a configuration error before anything is
// queued), then queue and deliver, a line per delivery on stdout.
func runPost(ctx context.Context, t *terminal, e *fleetenv.Env, owners *ownership.File, store state.Store, p *postOptions) error {
	rs, err := deliver.Build(deliver.BuildOptions{Owners: owners, Config: e.Config})
	if err != nil {
		return cli.Exit(err.Error(), exitConfig)
	}
	o := deliver.Options{Store: store, Owners: owners, Receivers: rs, Timeout: e.Config.Notify.Timeout, Logger: slog.Default()}
	if p.dryRun {
		if err := deliver.DryRun(ctx, o, t.Out); err != nil {
			return cli.Exit(err.Error(), 1)
		}
		return nil
	}
	timeout, _ := duration.Parse(p.timeout) // checked
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	rep, err := deliver.Post(ctx, o)
	if errors.Is(err, state.ErrLocked) {
		return cli.Exit(err.Error()+"; nothing was queued", notify.ExitQueued)
	}
	if werr := deliver.WriteSummary(t.Out, rep.Result); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return cli.Exit(err.Error(), 1)
	}
	if code := rep.ExitCode(); code != 0 {
		return cli.Exit("", code)
	}
	return nil
}
