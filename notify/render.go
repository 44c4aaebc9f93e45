package notify

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// DryRun writes what a run would send, receiver by receiver in queue
// order, without sending or marking anything (`digest --post --dry-run`).
// It shows what each delivery carries, never a receiver's address or
// secret.
func DryRun(ctx context.Context, o Outbox, w io.Writer) error {
	items, err := o.Pending(ctx)
	if err != nil {
		return fmt.Errorf("notify: reading the outbox: %w", err)
	}
	for _, it := range items {
		if err := Render(w, it); err != nil {
			return err
		}
	}
	return nil
}

// Render writes one delivery as the dry run shows it; an alert is
// resolved when it ends by the time it was queued.
func Render(w io.Writer, it Item) error {
	m := it.Message
	var b strings.Builder
	fmt.Fprintf(&b, "=== %s: receiver %s", m.ID, m.ID.Receiver)
	if m.Team != "" {
		fmt.Fprintf(&b, ", team %s", m.Team)
	}
	if !it.Queued.IsZero() {
		fmt.Fprintf(&b, ", queued %s", it.Queued.UTC().Format(time.RFC3339))
	}
	if it.Attempts > 0 {
		fmt.Fprintf(&b, ", attempts %d, last: %s", it.Attempts, it.LastErr)
	}
	b.WriteString("\n")
	if m.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", m.Subject)
	}
	if m.Markdown != "" {
		b.WriteString("\n" + strings.TrimRight(m.Markdown, "\n") + "\n")
	}
	for _, a := range m.Alerts {
		state := "firing"
		if !a.EndsAt.IsZero() && !a.EndsAt.After(it.Queued) {
			state = "resolved"
		}
		fmt.Fprintf(&b, "alert %s {%s} until %s\n", state, labelString(a.Labels), a.EndsAt.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func labelString(l map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, l[k]))
	}
	return strings.Join(parts, ", ")
}
