package ownership

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteExplain writes e as text for people: the question, every rule in
// file order with its verdict, then the owner and why.
func WriteExplain(w io.Writer, e Explanation) error {
	var b strings.Builder
	b.WriteString("host " + e.Host)
	if !e.InInventory {
		b.WriteString(" (not in the inventory)")
	}
	if e.Check != "" {
		b.WriteString(", check " + e.Check)
	} else {
		b.WriteString(", no check given (rules limited to checks do not apply)")
	}
	fmt.Fprintf(&b, ", status %s\n", e.Status)
	if len(e.Rules) == 0 {
		b.WriteString("no rules\n")
	} else {
		b.WriteString("rules in file order, the last match wins:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for i, r := range e.Rules {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", i+1, r.ID, r.Pos.Short(), verdict(e, i))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	b.WriteString("owner: " + ownerLine(e) + "\n")
	if e.Owner.ProductOwner != "" {
		b.WriteString("product owner: " + e.Owner.ProductOwner + "\n")
	}
	if len(e.Owner.AlsoNotify) > 0 {
		b.WriteString("also notify: " + strings.Join(e.Owner.AlsoNotify, ", ") + "\n")
	}
	if e.Owner.SLA > 0 {
		fmt.Fprintf(&b, "SLA (%s): %s\n", e.Status, formatDuration(e.Owner.SLA))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// verdict is the text of rule i's line in WriteExplain.
func verdict(e Explanation, i int) string {
	r := e.Rules[i]
	switch {
	case !r.Matched:
		return "no: " + r.Reason
	case i == e.Winner && r.Unowned:
		return "WINS: owner null (explicitly unowned)"
	case i == e.Winner:
		return "WINS: " + r.Team
	}
	return fmt.Sprintf("matches, overridden by %s", e.Rules[e.Winner].ID)
}

// ownerLine says who owns the failure and why.
func ownerLine(e Explanation) string {
	if e.Winner < 0 {
		return fmt.Sprintf("%s (UNOWNED: no rule matches, fallback team)", e.Owner.Team)
	}
	r := e.Rules[e.Winner]
	if r.Unowned {
		return fmt.Sprintf("%s (UNOWNED: rule %s at %s says owner: null, fallback team)", e.Owner.Team, r.ID, r.Pos.Short())
	}
	return fmt.Sprintf("%s (rule %s at %s)", e.Owner.Team, r.ID, r.Pos.Short())
}

// formatDuration renders d in days, hours and minutes ("3d", "1d12h", "4h").
func formatDuration(d time.Duration) string {
	if d < time.Minute {
		return d.String()
	}
	var b strings.Builder
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	hours := d / time.Hour
	d -= hours * time.Hour
	mins := d / time.Minute
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if hours > 0 {
		fmt.Fprintf(&b, "%dh", hours)
	}
	if mins > 0 {
		fmt.Fprintf(&b, "%dm", mins)
	}
	return b.String()
}
