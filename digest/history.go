package digest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

// HistorySchema is the schema name of `fleetcheck history -o json`.
const HistorySchema = "fleetcheck.history/v1"

// History is one host's episodes as a timeline.
type History struct {
	Schema   string    `json:"schema"`
	Host     string    `json:"host"`
	Check    *string   `json:"check,omitempty"`
	Now      time.Time `json:"generated_at"`
	Episodes []Entry   `json:"episodes"`
}

// Entry is one episode of the timeline.
type Entry struct {
	Check     string        `json:"check"` // "" for the host's unreachability
	Status    health.Status `json:"status"`
	Summary   string        `json:"summary"`
	Team      string        `json:"team"`
	Rule      string        `json:"rule,omitempty"`
	Unowned   bool          `json:"unowned"`
	Began     time.Time     `json:"began"`
	LastSeen  time.Time     `json:"last_seen"`
	Ended     *time.Time    `json:"ended,omitempty"`
	End       state.End     `json:"end,omitempty"`
	Changes   []EntryChange `json:"changes"`
	OpenSince Seconds       `json:"age_s"`
}

// EntryChange is one status or owner change.
type EntryChange struct {
	At      time.Time     `json:"at"`
	Status  health.Status `json:"status"`
	Summary string        `json:"summary"`
	Team    string        `json:"team"`
	Rule    string        `json:"rule,omitempty"`
	Unowned bool          `json:"unowned"`
}

// MakeHistory builds host's timeline from its episodes (oldest first).
func MakeHistory(host string, check *string, eps []state.Episode, now time.Time) History {
	h := History{Schema: HistorySchema, Host: host, Check: check, Now: now.UTC(), Episodes: []Entry{}}
	for _, e := range eps {
		en := Entry{Check: e.Check, Status: e.Status, Summary: e.Summary, Team: TeamOf(e), Rule: e.Owner.Rule, Unowned: e.Owner.Unowned,
			Began: e.FirstSeen, LastSeen: e.LastSeen, End: e.End, Changes: []EntryChange{}}
		until := now
		if !e.Open() {
			ended := e.Ended
			en.Ended, until = &ended, ended
		}
		en.OpenSince = seconds(until.Sub(e.FirstSeen))
		for _, c := range e.Changes {
			team := c.Owner.Team
			if team == "" {
				team = health.UnownedTeam
			}
			en.Changes = append(en.Changes, EntryChange{At: c.At, Status: c.Status, Summary: c.Summary, Team: team, Rule: c.Owner.Rule, Unowned: c.Owner.Unowned})
		}
		h.Episodes = append(h.Episodes, en)
	}
	return h
}

// HistoryJSON writes the timeline as one JSON document.
func HistoryJSON(w io.Writer, h History) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("writing the history: %w", err)
	}
	return nil
}

// HistoryText writes the timeline for people: one block per episode,
// began, each change, ended (or "not seen since" / "ongoing").
func HistoryText(w io.Writer, h History) error {
	var b strings.Builder
	if len(h.Episodes) == 0 {
		fmt.Fprintf(&b, "%s: no failure recorded\n", h.Host)
	}
	const stamp = "2006-01-02 15:04:05"
	for i, e := range h.Episodes {
		if i > 0 {
			b.WriteString("\n")
		}
		check := e.Check
		if check == state.HostCheck {
			check = "(host unreachable)"
		}
		fmt.Fprintf(&b, "%s %s\n", h.Host, check)
		prev := health.Status(-1)
		prevTeam := ""
		for j, c := range e.Changes {
			verb := "changed"
			switch {
			case j == 0:
				verb = "began  "
			case c.Status == prev:
				verb = "owner  "
			}
			owner := c.Team
			if c.Rule != "" {
				owner += " (rule " + c.Rule + ")"
			}
			if c.Unowned {
				owner += ", unowned"
			}
			line := fmt.Sprintf("  %s  %s  %-11s %s", c.At.Format(stamp), verb, c.Status, oneLine(c.Summary))
			if j == 0 || c.Team != prevTeam || verb == "owner  " {
				line += "  [" + owner + "]"
			}
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			prev, prevTeam = c.Status, c.Team
		}
		switch {
		case e.Ended != nil:
			fmt.Fprintf(&b, "  %s  ended    %s after %s\n", e.Ended.Format(stamp), e.End, Age(e.OpenSince.Duration()))
		default:
			fmt.Fprintf(&b, "  %s  last seen %s, open for %s\n", e.LastSeen.Format(stamp), e.Status, Age(e.OpenSince.Duration()))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the history: %w", err)
	}
	return nil
}

// WriteHistory renders h as format: "json" (HistoryJSON), else text.
func WriteHistory(w io.Writer, h History, format string) error {
	if format == "json" {
		return HistoryJSON(w, h)
	}
	return HistoryText(w, h)
}
