package main

import (
	"github.com/fleetcheck/fleetcheck/internal/deliver"
	"github.com/urfave/cli/v2"
)

// postFlags are digest's delivery flags (internal/deliver checks them).
func postFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "post", Usage: "deliver each team's digest, escalations and alerts (exit 0, 75 queued, 76 refused)"},
		&cli.BoolFlag{Name: "dry-run", Usage: "with --post: print what would be sent, record nothing"},
		&cli.StringFlag{Name: "post-timeout", Value: "3m", Usage: "--post ends within this `DURATION`; what is not delivered stays queued"},
	}
}

// readPost reads the delivery flags and the digest flags they cannot go with.
func readPost(c *cli.Context) deliver.Flags {
	return deliver.Flags{Post: c.Bool("post"), DryRun: c.Bool("dry-run"), Timeout: c.String("post-timeout"),
		Team: c.String("team"), Since: c.String("since"), Format: c.String("output")}
}
