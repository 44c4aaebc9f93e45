// Package triage is the logic of the ack, maintenance and budget
// commands (the CLI only parses flags and wires): validating what they
// are given against the inventory and configuration, acting on the store,
// and writing the result. It also says how the table marks a failure and
// how delivery treats acknowledged and in-maintenance failures.
package triage

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// DefaultAckFor is how long an acknowledgement lasts when --for is not
// given: a forgotten one must not hide a failure for ever.
const DefaultAckFor = 7 * 24 * time.Hour

// HostCheckName is how the command line names a host's own episode (it
// could not be reached).
const HostCheckName = "unreachable"

func usagef(format string, args ...any) error {
	return &fleetenv.UsageError{Err: fmt.Errorf(format, args...)}
}

// SelectHosts evaluates query (the QUERY argument): a syntax error, or
// a query that selects no host, is a usage error naming it.
func SelectHosts(ctx context.Context, e *fleetenv.Env, query string) ([]string, error) {
	if strings.TrimSpace(query) == "" {
		return nil, usagef("QUERY: empty: give the hosts (a query such as web01 or role=web)")
	}
	hosts, err := e.Select(ctx, query)
	if err != nil {
		return nil, err
	}
	if len(hosts) == 0 {
		names := e.Inventory.Names()
		return nil, usagef("QUERY %q selects no host%s", query, suggest.DidYouMean(query, names))
	}
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out, nil
}

// CheckName validates the CHECK argument: a configured or built-in check,
// or "unreachable" (the host's own episode, state.HostCheck).
func CheckName(e *fleetenv.Env, name string) (string, error) {
	if name == HostCheckName {
		return state.HostCheck, nil
	}
	names, err := e.CheckNames()
	if err != nil {
		return "", err
	}
	if !slices.Contains(names, name) {
		return "", usagef("CHECK %q: no such check%s (fleetcheck checks lists them; %q for a host that cannot be reached)",
			name, suggest.DidYouMean(name, append(names, HostCheckName)), HostCheckName)
	}
	return name, nil
}

// ParseFor parses a --for duration: above 0, with a unit.
func ParseFor(flag, text string) (time.Duration, error) {
	d, err := duration.Parse(text)
	if err != nil {
		return 0, usagef("%s: %v", flag, err)
	}
	if d <= 0 {
		return 0, usagef("%s: expected a duration above 0 such as 2h or 7d, found %q", flag, text)
	}
	return d, nil
}

// timeLayouts are what --start accepts (UTC unless an offset is given).
var timeLayouts = []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// ParseTime parses a --start time: RFC 3339, or "2006-01-02 15:04" (UTC),
// or a duration from now ("+2h", "30m").
func ParseTime(flag, text string, now time.Time) (time.Time, error) {
	text = strings.TrimSpace(text)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, text); err == nil {
			return t.UTC(), nil
		}
	}
	if d, err := duration.Parse(strings.TrimPrefix(text, "+")); err == nil && d >= 0 {
		return now.Add(d), nil
	}
	return time.Time{}, usagef("%s: expected a time such as 2026-12-01T22:00:00Z, \"2026-12-01 22:00\" (UTC) or +2h, found %q", flag, text)
}

// AckOptions are ack's.
type AckOptions struct {
	Query, Check  string // the arguments
	Reason, By    string
	For           time.Duration // 0: DefaultAckFor
	UntilResolved bool          // no expiry: For is ignored
}

// Ack acknowledges the open episodes of the check on the hosts the query
// selects and writes what it acknowledged. Nothing open to acknowledge is
// an error (a typo must not read as success).
func Ack(ctx context.Context, e *fleetenv.Env, store state.Triage, o AckOptions, w io.Writer) error {
	if strings.TrimSpace(o.Reason) == "" {
		return usagef("--reason: required (a ticket or why the failure may wait)")
	}
	hosts, err := SelectHosts(ctx, e, o.Query)
	if err != nil {
		return err
	}
	check, err := CheckName(e, o.Check)
	if err != nil {
		return err
	}
	switch {
	case o.UntilResolved:
		o.For = 0 // the store's "until resolved or worse"
	case o.For == 0:
		o.For = DefaultAckFor
	}
	acks, err := store.Acknowledge(ctx, state.AckRequest{Hosts: hosts, Check: check, By: o.By, Reason: o.Reason, For: o.For})
	if err != nil {
		return err
	}
	if len(acks) == 0 {
		return fmt.Errorf("no open failure of %s on %s to acknowledge (fleetcheck history HOST shows a host's episodes)", o.Check, nodeset.Fold(hosts))
	}
	var names []string
	for _, a := range acks {
		names = append(names, a.Host)
	}
	a := acks[0]
	_, err = fmt.Fprintf(w, "acknowledged %s on %s (%d): %s, by %s, %s\n", o.Check, nodeset.Fold(names), len(acks), a.Reason, a.By, untilText(a.Until))
	return err
}

func untilText(t time.Time) string {
	if t.IsZero() {
		return "until resolved or worse"
	}
	return "until " + t.Format("2006-01-02 15:04 UTC") + " (or resolved, or worse)"
}

// RemoveAcks ends the acknowledgements in force of the check on the hosts
// the query selects; none is an error.
func RemoveAcks(ctx context.Context, e *fleetenv.Env, store state.Triage, query, checkArg string, w io.Writer) error {
	hosts, err := SelectHosts(ctx, e, query)
	if err != nil {
		return err
	}
	check, err := CheckName(e, checkArg)
	if err != nil {
		return err
	}
	removed, err := store.RemoveAcks(ctx, hosts, check)
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		return fmt.Errorf("no acknowledgement of %s on %s in force (fleetcheck ack --list shows them)", checkArg, nodeset.Fold(hosts))
	}
	var names []string
	for _, a := range removed {
		names = append(names, a.Host)
	}
	_, err = fmt.Fprintf(w, "removed the acknowledgement of %s on %s (%d)\n", checkArg, nodeset.Fold(names), len(removed))
	return err
}

// ListAcks writes the acknowledgements in force as a table or JSON.
func ListAcks(ctx context.Context, store state.Triage, format string, w io.Writer) error {
	acks, err := store.Acks(ctx, false)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, map[string]any{"acks": nonNil(acks)})
	}
	if len(acks) == 0 {
		_, err := fmt.Fprintln(w, "no acknowledgements in force")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tCHECK\tSTATUS\tBY\tREASON\tSINCE\tUNTIL")
	for _, a := range acks {
		until := "resolved"
		if !a.Until.IsZero() {
			until = a.Until.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Host, checkText(a.Check), a.Status, a.By, a.Reason, a.Created.Format("2006-01-02 15:04"), until)
	}
	return tw.Flush()
}

func checkText(c string) string {
	if c == state.HostCheck {
		return HostCheckName
	}
	return c
}

// MaintenanceOptions are maintenance's.
type MaintenanceOptions struct {
	Query      string
	For        time.Duration
	Start      time.Time // zero: now
	Reason, By string
	Now        time.Time
}

// AddMaintenance stores a window over the hosts the query selects now.
func AddMaintenance(ctx context.Context, e *fleetenv.Env, store state.Triage, o MaintenanceOptions, w io.Writer) error {
	if o.For <= 0 {
		return usagef("--for: required (how long the window lasts, such as 2h)")
	}
	if strings.TrimSpace(o.Reason) == "" {
		return usagef("--reason: required (why these hosts are in maintenance)")
	}
	hosts, err := SelectHosts(ctx, e, o.Query)
	if err != nil {
		return err
	}
	start := o.Start
	if start.IsZero() {
		start = o.Now
	}
	if !start.Add(o.For).After(o.Now) {
		return usagef("--start %s --for %s: the window would already be over", start.Format(time.RFC3339), duration.Human(o.For))
	}
	win, err := store.AddMaintenance(ctx, state.Window{Query: o.Query, Hosts: hosts, Start: start, End: start.Add(o.For), Reason: o.Reason, By: o.By})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "maintenance window %d: %s (%d hosts), %s to %s: %s\n", win.ID, win.FoldHosts(), len(win.Hosts),
		win.Start.Format("2006-01-02 15:04"), win.End.Format("2006-01-02 15:04 UTC"), win.Reason)
	return err
}

// ListMaintenance writes the windows in force or to come.
func ListMaintenance(ctx context.Context, store state.Triage, now time.Time, format string, w io.Writer) error {
	ws, err := store.Maintenance(ctx, now)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, map[string]any{"maintenance": nonNil(ws)})
	}
	if len(ws) == 0 {
		_, err := fmt.Fprintln(w, "no maintenance windows in force or to come")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tHOSTS\tSTART\tEND\tBY\tREASON")
	for _, win := range ws {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", win.ID, win.FoldHosts(), win.Start.Format("2006-01-02 15:04"), win.End.Format("2006-01-02 15:04"), win.By, win.Reason)
	}
	return tw.Flush()
}

// RemoveMaintenance ends window id now.
func RemoveMaintenance(ctx context.Context, store state.Triage, id int64, w io.Writer) error {
	win, err := store.RemoveMaintenance(ctx, id)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "maintenance window %d ended at %s\n", win.ID, win.End.Format("2006-01-02 15:04 UTC"))
	return err
}

// Owners is what budgets need of the owners: who owns a host's check and
// the teams' objectives. A nil Owners (no owners file) puts everything
// under health.UnownedTeam with no objective.
type Owners struct {
	File    *ownership.File
	Matcher *ownership.Matcher
}

func (o Owners) owner(host, check string) string {
	if o.Matcher == nil {
		return health.UnownedTeam
	}
	if t := o.Matcher.Owner(host, check, checks.Critical).Team; t != "" {
		return t
	}
	return health.UnownedTeam
}

func (o Owners) slo(team string) float64 {
	if o.File == nil {
		return 0
	}
	return o.File.SLOOf(team)
}

// Budgets reads what the window needs from the store and computes every
// team's error budget (only team's when not empty).
func Budgets(ctx context.Context, store state.Store, owners Owners, team string, window time.Duration, now time.Time) ([]digest.Budget, error) {
	if window <= 0 {
		window = digest.DefaultBudgetWindow
	}
	start := now.Add(-window)
	sweeps, err := store.Sweeps(ctx, 0)
	if err != nil {
		return nil, err
	}
	eps, err := store.Episodes(ctx, state.EpisodeFilter{Since: start})
	if err != nil {
		return nil, err
	}
	ws, err := store.Maintenance(ctx, start)
	if err != nil {
		return nil, err
	}
	return digest.Budgets(digest.BudgetInput{Now: now, Window: window, Sweeps: sweeps, Episodes: eps, Maintenance: ws,
		Owner: owners.owner, SLO: owners.slo, Team: team}), nil
}

// AddBudgets gives the digest in each team's error budget over
// digest.DefaultBudgetWindow up to in.Now (its header line).
func AddBudgets(ctx context.Context, in *digest.Input, store state.Store, owners Owners) error {
	budgets, err := Budgets(ctx, store, owners, in.Team, digest.DefaultBudgetWindow, in.Now)
	if err != nil {
		return fmt.Errorf("error budgets: %w", err)
	}
	in.Budget = BudgetFunc(budgets)
	return nil
}

// BudgetFunc is digest.Input's Budget for the budgets of a default window.
func BudgetFunc(budgets []digest.Budget) func(team string) *digest.Budget {
	return func(team string) *digest.Budget {
		for i := range budgets {
			if budgets[i].Team == team {
				b := budgets[i]
				return &b
			}
		}
		return nil
	}
}

// WriteBudgets writes budgets as a table (format "table") or JSON.
func WriteBudgets(w io.Writer, budgets []digest.Budget, format string) error {
	if format == "json" {
		return writeJSON(w, map[string]any{"schema": "fleetcheck.budget/v1", "budgets": nonNil(budgets)})
	}
	if len(budgets) == 0 {
		_, err := fmt.Fprintln(w, "no sweeps recorded in the window: no budget to compute")
		return err
	}
	rows := [][]string{{"TEAM", "SLO", "WINDOW", "HOST-CHECKS", "HOURS", "FAILING", "CRITICAL", "WARNING", "UNKNOWN", "UNREACHABLE", "MAINT H", "BURN", "LEFT"}}
	for _, b := range budgets {
		slo, burn, left := "-", "-", "-"
		if b.HasSLO() {
			slo = fmt.Sprintf("%g%%", b.SLO)
			burn = fmt.Sprintf("%.2f", b.Burn)
			left = fmt.Sprintf("%.1f%%", b.Left*100)
		}
		rows = append(rows, []string{b.Team, slo, duration.Human(b.Window.Duration()), strconv.Itoa(b.HostChecks),
			fmt.Sprintf("%.1f", b.Total.Duration().Hours()), pct(b.Failing, b.Total), pct(b.Critical, b.Total), pct(b.Warning, b.Total),
			pct(b.Unknown, b.Total), pct(b.Unreachable, b.Total), fmt.Sprintf("%.1f", b.Maintenance.Duration().Hours()), burn, left})
	}
	return writeColumns(w, rows, 1)
}

// writeColumns writes rows (the header first) as columns two blanks
// apart: the first text columns left-aligned, the numbers after them
// right-aligned, as the sweep table does; no borders, no trailing blanks.
func writeColumns(w io.Writer, rows [][]string, text int) error {
	align := make([]tw.Align, len(rows[0]))
	pad := make([]tw.Padding, len(rows[0]))
	for i := range align {
		align[i], pad[i] = tw.AlignRight, tw.Padding{Right: " ", Overwrite: true}
		if i < text {
			align[i] = tw.AlignLeft
		}
	}
	pad[len(pad)-1] = tw.Padding{Overwrite: true}
	t := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders:  tw.BorderNone,
			Symbols:  tw.NewSymbolCustom("columns").WithColumn(" "),
			Settings: tw.Settings{Separators: tw.Separators{BetweenColumns: tw.On}, Lines: tw.Lines{ShowHeaderLine: tw.Off}},
		})),
		tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithTrimSpace(tw.Off),
		tablewriter.WithHeaderAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: align}),
		tablewriter.WithHeaderPaddingPerColumn(pad), tablewriter.WithRowPaddingPerColumn(pad),
	)
	t.Header(rows[0])
	if err := t.Bulk(rows[1:]); err != nil {
		return fmt.Errorf("writing the budgets: %w", err)
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("writing the budgets: %w", err)
	}
	return nil
}

func pct(part, total digest.Seconds) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.3f%%", 100*float64(part)/float64(total))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
