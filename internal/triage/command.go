package triage

import (
	"cmp"
	"context"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/state"
)

// The command lines of ack, maintenance and budget as given: Check
// validates the flags and arguments before the store is opened (usage
// errors, exit 64), Run acts on the store.

// checkFormat refuses an -o (of a list, of budget) that is not table or json.
func checkFormat(format string) error {
	if format != "table" && format != "json" {
		return usagef("-o %s: expected table or json", format)
	}
	return nil
}

// LoginName is --by's default: the login name.
func LoginName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return cmp.Or(os.Getenv("USER"), os.Getenv("LOGNAME"), "unknown")
}

// AckCommand is ack's command line.
type AckCommand struct {
	Args          []string // QUERY CHECK (none with List)
	List, Remove  bool     // --list, --remove
	Format        string   // -o of --list
	Reason, By    string   // By "": LoginName
	For           string   // --for: a duration, or UntilResolved
	forD          time.Duration
	untilResolved bool
}

// UntilResolved is the --for of an acknowledgement with no expiry: it
// ends when the failure resolves or gets worse.
const UntilResolved = "resolved"

// Check validates the command line.
func (c *AckCommand) Check() error {
	switch {
	case c.List && c.Remove:
		return usagef("ack: --list and --remove do not go together")
	case c.List && len(c.Args) > 0:
		return usagef("ack --list takes no arguments (found %q)", c.Args[0])
	case c.List:
		return checkFormat(c.Format)
	case len(c.Args) != 2:
		return usagef("ack takes QUERY and CHECK (found %d arguments; quote a query with spaces)", len(c.Args))
	case c.Remove:
		return nil
	}
	if c.For == UntilResolved {
		c.untilResolved = true
		return nil
	}
	var err error
	c.forD, err = ParseFor("--for", c.For)
	return err
}

// Run lists the acknowledgements in force, ends those of CHECK on QUERY
// (Remove) or acknowledges (Ack), writing the result to w.
func (c *AckCommand) Run(ctx context.Context, e *fleetenv.Env, store state.Triage, w io.Writer) error {
	switch {
	case c.List:
		return ListAcks(ctx, store, c.Format, w)
	case c.Remove:
		return RemoveAcks(ctx, e, store, c.Args[0], c.Args[1], w)
	}
	return Ack(ctx, e, store, AckOptions{Query: c.Args[0], Check: c.Args[1], Reason: c.Reason, By: cmp.Or(c.By, LoginName()), For: c.forD, UntilResolved: c.untilResolved}, w)
}

// MaintenanceCommand is maintenance's command line.
type MaintenanceCommand struct {
	Args       []string // QUERY (none with List or Remove)
	List       bool     // --list
	Remove     *string  // --remove ID; nil when not given
	Format     string   // -o of --list
	For        string   // --for, required for a new window
	Start      *string  // --start; nil: now
	Reason, By string   // By "": LoginName
	Now        time.Time
	opts       MaintenanceOptions
	id         int64
}

// Check validates the command line.
func (c *MaintenanceCommand) Check() error {
	switch {
	case c.List && c.Remove != nil:
		return usagef("maintenance: --list and --remove do not go together")
	case c.List && len(c.Args) > 0:
		return usagef("maintenance --list takes no arguments (found %q)", c.Args[0])
	case c.List:
		return checkFormat(c.Format)
	case c.Remove != nil:
		id, err := strconv.ParseInt(*c.Remove, 10, 64)
		if err != nil || id <= 0 {
			return usagef("--remove %q: expected a window ID (maintenance --list shows them)", *c.Remove)
		}
		c.id = id
		return nil
	case len(c.Args) == 0:
		return usagef("maintenance takes a QUERY (the hosts)")
	case c.For == "":
		return usagef("maintenance: --for is required (how long the window lasts, such as 2h)")
	}
	c.opts = MaintenanceOptions{Query: strings.Join(c.Args, " "), Reason: c.Reason, By: cmp.Or(c.By, LoginName()), Now: c.Now}
	var err error
	if c.opts.For, err = ParseFor("--for", c.For); err != nil {
		return err
	}
	if c.Start != nil {
		c.opts.Start, err = ParseTime("--start", *c.Start, c.Now)
	}
	return err
}

// StoreMustExist reports whether the store must already exist: only to
// end a window (listing or adding one creates it).
func (c *MaintenanceCommand) StoreMustExist() bool { return c.Remove != nil }

// Run lists the windows in force or to come, ends one (Remove) or adds one
// (AddMaintenance), writing the result to w.
func (c *MaintenanceCommand) Run(ctx context.Context, e *fleetenv.Env, store state.Triage, w io.Writer) error {
	switch {
	case c.List:
		return ListMaintenance(ctx, store, c.Now, c.Format, w)
	case c.Remove != nil:
		return RemoveMaintenance(ctx, store, c.id, w)
	}
	return AddMaintenance(ctx, e, store, c.opts, w)
}

// BudgetCommand is budget's command line.
type BudgetCommand struct {
	Args   []string // none
	Team   string   // --team; the caller checks it against the owners file
	Window string   // --window, a duration
	Format string   // -o
	window time.Duration
}

// Check validates the command line.
func (c *BudgetCommand) Check() error {
	if len(c.Args) > 0 {
		return usagef("budget takes no arguments (found %q)", c.Args[0])
	}
	if err := checkFormat(c.Format); err != nil {
		return err
	}
	var err error
	c.window, err = ParseFor("--window", c.Window)
	return err
}

// Run writes the budgets of the team (every team when "") over the window
// to now.
func (c *BudgetCommand) Run(ctx context.Context, store state.Store, owners Owners, now time.Time, w io.Writer) error {
	budgets, err := Budgets(ctx, store, owners, c.Team, c.window, now)
	if err != nil {
		return err
	}
	return WriteBudgets(w, budgets, c.Format)
}

// Digest is the digest of the store's episodes with each team's budget
// line (team "" every team; since 0: since each team's last digest), of
// the sweep sw (nil: the newest recorded, if any), at now.
func Digest(ctx context.Context, store state.Store, owners Owners, team string, since time.Duration, sw *state.Sweep, now time.Time) (digest.Digest, error) {
	in, err := digest.ReadInput(ctx, store, owners.File, team, since, now)
	if err == nil {
		err = AddBudgets(ctx, &in, store, owners)
	}
	if err != nil {
		return digest.Digest{}, err
	}
	if sw == nil {
		if sweeps, err := store.Sweeps(ctx, 1); err == nil && len(sweeps) == 1 {
			sw = &sweeps[0]
		}
	}
	in.Sweep = sw
	return digest.Make(in), nil
}
