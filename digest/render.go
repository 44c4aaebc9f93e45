package digest

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
	"github.com/fleetcheck/fleetcheck/state"
)

// JSON writes the digest as one fleetcheck.digest/v1 document.
func JSON(w io.Writer, d Digest) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("writing the digest: %w", err)
	}
	return nil
}

// Markdown writes the digest as Markdown: a section per team, then new,
// ongoing and resolved failures.
func Markdown(w io.Writer, d Digest) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fleetcheck digest, %s\n", d.GeneratedAt.Format("2006-01-02 15:04 UTC"))
	if d.Sweep != nil {
		q := d.Sweep.Query
		if q == "" {
			q = "all"
		}
		fmt.Fprintf(&b, "\nAfter sweep %d (`%s`, %s", d.Sweep.ID, q, d.Sweep.Finished.Format("15:04 UTC"))
		if !d.Sweep.Complete {
			b.WriteString(", incomplete: what it did not reach is unchanged")
		}
		b.WriteString(").\n")
	}
	if len(d.Teams) == 0 {
		b.WriteString("\nNothing new, ongoing or resolved.\n")
	}
	for _, t := range d.Teams {
		fmt.Fprintf(&b, "\n## %s: %d new, %d ongoing, ", t.Team, hostCount(t.New), hostCount(t.Ongoing))
		for _, c := range []struct {
			n    int
			what string
		}{{hostCount(t.Acknowledged), "acknowledged"}, {hostCount(t.Maintenance), "in maintenance"}, {hostCount(t.Flapping), "flapping"}} {
			if c.n > 0 {
				fmt.Fprintf(&b, "%d %s, ", c.n, c.what)
			}
		}
		fmt.Fprintf(&b, "%d resolved\n", hostCount(t.Resolved))
		if !t.Since.IsZero() {
			fmt.Fprintf(&b, "\nSince %s.\n", t.Since.Format("2006-01-02 15:04 UTC"))
		}
		if t.Budget != nil {
			b.WriteString("\n" + BudgetLine(*t.Budget) + "\n")
		}
		section(&b, "New", t.New, d.GeneratedAt, newLine)
		section(&b, "Ongoing", t.Ongoing, d.GeneratedAt, ongoingLine)
		section(&b, "Flapping", t.Flapping, d.GeneratedAt, flappingLine)
		section(&b, "Acknowledged", t.Acknowledged, d.GeneratedAt, ackLine)
		section(&b, "In maintenance (not notified)", t.Maintenance, d.GeneratedAt, maintLine)
		section(&b, "Resolved", t.Resolved, d.GeneratedAt, resolvedLine)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the digest: %w", err)
	}
	return nil
}

func hostCount(gs []Group) int {
	n := 0
	for _, g := range gs {
		n += g.Count
	}
	return n
}

func section(b *strings.Builder, title string, gs []Group, now time.Time, line func(Group, time.Time) string) {
	if len(gs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n### %s\n\n", title)
	for _, g := range gs {
		b.WriteString("- " + line(g, now) + "\n")
	}
}

// what is the group's status, check, hosts and summary.
func what(g Group) string {
	check := g.Check
	if check == state.HostCheck {
		check = "host"
	}
	s := fmt.Sprintf("**%s** %s on `%s`", g.Status, check, g.Hosts)
	if g.Count > 1 {
		s += fmt.Sprintf(" (%d hosts)", g.Count)
	}
	if g.Summary != "" {
		s += ": " + oneLine(g.Summary)
	}
	if g.Unowned {
		s += " _(unowned)_"
	}
	return s
}

func newLine(g Group, now time.Time) string {
	return what(g) + ", since " + Age(now.Sub(g.FirstSeen)) + slaText(g.SLA)
}

func ongoingLine(g Group, now time.Time) string {
	return what(g) + ", for " + Age(now.Sub(g.FirstSeen)) + slaText(g.SLA)
}

func flappingLine(g Group, now time.Time) string {
	state := "open"
	if g.Ended != nil {
		state = "last " + string(g.End) + " " + Age(now.Sub(*g.Ended)) + " ago"
	}
	return fmt.Sprintf("%s, **flapping ×%d** in %s (%s)", what(g), g.Flaps, Age(24*time.Hour), state)
}

func ackLine(g Group, now time.Time) string {
	return what(g) + ", for " + Age(now.Sub(g.FirstSeen)) + ", " + AckText(g.Ack) + slaText(g.SLA)
}

// AckText is an acknowledgement in words: "ACK alice: T1234 until Mar 3 10:00 UTC".
func AckText(a *AckRef) string {
	if a == nil {
		return ""
	}
	until := "until resolved"
	if !a.Until.IsZero() {
		until = "until " + a.Until.Format("Jan 2 15:04 UTC")
	}
	return fmt.Sprintf("ACK %s: %s %s", a.By, oneLine(a.Reason), until)
}

func maintLine(g Group, now time.Time) string {
	s := what(g) + ", for " + Age(now.Sub(g.FirstSeen))
	if m := g.InMaint; m != nil {
		s += fmt.Sprintf(", MAINT %s until %s (window %d)", oneLine(m.Reason), m.End.Format("Jan 2 15:04 UTC"), m.ID)
	}
	return s
}

// BudgetLine is a team's error budget in one line.
func BudgetLine(b Budget) string {
	s := fmt.Sprintf("Error budget (%s", Age(b.Window.Duration()))
	if b.HasSLO() {
		s += fmt.Sprintf(", SLO %s%%", trimFloat(b.SLO))
	}
	s += fmt.Sprintf("): %s failing of %s (critical %s, warning %s, unknown %s, unreachable %s",
		percent(b.Observed), hostCheckTime(b.Total), share(b.Critical, b.Total), share(b.Warning, b.Total), share(b.Unknown, b.Total), share(b.Unreachable, b.Total))
	if b.Maintenance > 0 {
		s += fmt.Sprintf("; %s in maintenance, not counted", hostCheckTime(b.Maintenance))
	}
	s += ")"
	if !b.HasSLO() {
		return s + "; no slo: set in the owners file."
	}
	if b.Left < 0 {
		return s + fmt.Sprintf(", burn rate %.2f, budget overspent: %s× what the SLO allows.", b.Burn, times(b.Burn))
	}
	return s + fmt.Sprintf(", burn rate %.2f, %s of the budget left.", b.Burn, percent(b.Left))
}

// times is a multiple of the budget as read at a glance: whole from 10
// up (48×), else to a tenth (1.5×, 2×).
func times(f float64) string {
	if f >= 10 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strings.TrimSuffix(strconv.FormatFloat(f, 'f', 1, 64), ".0")
}

// hostCheckTime is an amount of host-check time: whole hours from an
// hour up, else a short duration.
func hostCheckTime(s Seconds) string {
	if h := s.Duration().Hours(); h >= 1 {
		return fmt.Sprintf("%.0f host-check hours", h)
	}
	return Age(s.Duration()) + " of host-check time"
}

func share(part, total Seconds) string {
	if total == 0 {
		return percent(0)
	}
	return percent(float64(part) / float64(total))
}

// percent writes a share as a percentage with two decimals at most.
func percent(f float64) string { return trimFloat(f*100) + "%" }

func trimFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func resolvedLine(g Group, _ time.Time) string {
	return fmt.Sprintf("%s, %s after %s", what(g), g.End, Age(g.Age.Duration()))
}

func slaText(s *SLA) string {
	if s == nil {
		return ""
	}
	switch s.State {
	case SLABreached:
		return fmt.Sprintf(", SLA %s **breached %s ago**", Age(s.Deadline.Duration()), Age(s.Breached.Duration()))
	case SLANear:
		return fmt.Sprintf(", SLA %s near (due %s)", Age(s.Deadline.Duration()), s.Due.Format("Jan 2 15:04 UTC"))
	}
	return fmt.Sprintf(", SLA %s ok", Age(s.Deadline.Duration()))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Age renders a duration briefly, two units at most: "45s", "12m",
// "5h12m", "3d4h".
func Age(d time.Duration) string { return duration.Human(d) }
