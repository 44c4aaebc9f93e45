package deliver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/alertmanager"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/state"
)

// The kinds of outbox rows.
const (
	KindDigest       = "digest"
	KindEscalation   = "escalation"
	KindAlertmanager = "alertmanager"
)

// Treatment is how delivery handles one episode.
type Treatment struct {
	Alert        bool // pushed to Alertmanager (firing while open, resolved once after)
	Acknowledged bool // pushed labelled acknowledged="true" (not a new page)
	Escalate     bool // told to the team's escalation targets when its SLA is breached
}

// Treat decides an episode's alert and escalation treatment, the one
// place where triage's rules (digest.Notifiable, Escalatable) apply: an
// open failure in a maintenance window is neither pushed nor escalated;
// an acknowledged one is pushed labelled acknowledged="true" (with who,
// why and until when as annotations) and not escalated; a resolved
// episode is always pushed, as resolved.
func Treat(e state.Episode) Treatment {
	return Treatment{
		Alert:        !e.Open() || digest.Notifiable(e),
		Acknowledged: digest.AlertLabels(e)["acknowledged"] == "true",
		Escalate:     digest.Escalatable(e),
	}
}

// Plan is what one post decides after the newest sweep.
type Plan struct {
	Sweep     *state.Sweep // the newest sweep; nil when none was recorded (nothing to decide)
	Rows      []Planned
	Delivered []string // teams whose digest mark moves to Sweep
	Pushed    bool     // the last push to Alertmanager moves to Sweep
}

// Planned is one row to queue, and the breaches it escalates.
type Planned struct {
	Row      state.OutboxRow
	Breaches []state.Breach
}

// MakePlan reads the store and decides, for the newest sweep: each team
// with receivers, not yet told of it, its digest since its last delivery
// (one row per receiver; none when the digest is empty); each team's SLA
// breaches not yet escalated, to its escalation targets; and the
// Alertmanager push (every open episode firing, every one resolved since
// the last push resolved). Reading it changes nothing.
func MakePlan(ctx context.Context, store state.Store, owners *ownership.File, rs *Receivers, now time.Time) (Plan, error) {
	var p Plan
	sweeps, err := store.Sweeps(ctx, 1)
	if err != nil {
		return p, err
	}
	if len(sweeps) == 0 {
		return p, nil
	}
	sw := sweeps[0]
	p.Sweep = &sw
	in, err := digest.ReadInput(ctx, store, owners, "", 0, now)
	if err != nil {
		return p, err
	}
	in.Sweep = &sw
	d := digest.Make(in)
	sections := map[string]digest.Team{}
	for _, t := range d.Teams {
		sections[t.Team] = t
	}
	told := map[string]bool{} // teams already told of this sweep
	for _, t := range teamNames(owners) {
		last, ok, err := store.LastDelivered(ctx, t)
		if err != nil {
			return p, err
		}
		told[t] = ok && last.Sweep >= sw.ID
		names := rs.Teams[t]
		if told[t] || len(names) == 0 {
			continue
		}
		p.Delivered = append(p.Delivered, t)
		sec, ok := sections[t]
		if !ok || !sec.Deliverable() { // only acknowledged or in maintenance: not sent
			continue
		}
		one := d
		one.Teams = []digest.Team{sec}
		subject := Subject(sec)
		rows, err := rowsFor(one, t, names, sw.ID, KindDigest, subject, "")
		if err != nil {
			return p, err
		}
		for _, r := range rows {
			p.Rows = append(p.Rows, Planned{Row: r})
		}
	}
	esc, err := escalations(ctx, store, in, rs, sw, now)
	if err != nil {
		return p, err
	}
	p.Rows = append(p.Rows, esc...)
	if _, ok := rs.ByDest[AlertmanagerDest]; ok {
		row, due, err := push(ctx, store, in, rs.Resend, sw, now)
		if err != nil {
			return p, err
		}
		p.Pushed = due
		if row != nil {
			p.Rows = append(p.Rows, Planned{Row: *row})
		}
	}
	return p, nil
}

// teamNames are the owners file's teams.
func teamNames(owners *ownership.File) []string {
	if owners == nil {
		return nil
	}
	var out []string
	for _, t := range owners.Teams {
		out = append(out, t.Name)
	}
	return out
}

// Subject is the subject (and chat headline) of a team's digest.
func Subject(t digest.Team) string {
	return fmt.Sprintf("fleetcheck digest for %s: %d new, %d ongoing, %d resolved", t.Team, hosts(t.New), hosts(t.Ongoing), hosts(t.Resolved))
}

func hosts(gs []digest.Group) int {
	n := 0
	for _, g := range gs {
		n += g.Count
	}
	return n
}

// rowsFor renders d once and makes one row per receiver name of team.
func rowsFor(d digest.Digest, team string, names []string, sweep int64, kind, subject, preface string) ([]state.OutboxRow, error) {
	var md, js bytes.Buffer
	md.WriteString(preface)
	if err := digest.Markdown(&md, d); err != nil {
		return nil, err
	}
	if err := digest.JSON(&js, d); err != nil {
		return nil, err
	}
	var out []state.OutboxRow
	for _, n := range names {
		id := notify.ID{Team: team, Receiver: n, Sweep: sweep}
		out = append(out, state.OutboxRow{ID: id.String(), Team: team, Receiver: n, Sweep: sweep, Kind: kind,
			Subject: subject, Markdown: md.String(), Body: bytes.Clone(js.Bytes()), Queued: d.GeneratedAt})
	}
	return out, nil
}

// escalations are the rows telling each team's escalation targets of its
// open episodes whose SLA is breached and not yet escalated: one message
// per team and target, a digest of those episodes only.
func escalations(ctx context.Context, store state.Store, in digest.Input, rs *Receivers, sw state.Sweep, now time.Time) ([]Planned, error) {
	if len(rs.Escalation) == 0 || in.SLA == nil {
		return nil, nil
	}
	done, err := store.Escalated(ctx)
	if err != nil {
		return nil, err
	}
	breached := map[string][]state.Episode{}
	breaches := map[string][]state.Breach{}
	var order []string
	for _, e := range in.Episodes {
		team := digest.TeamOf(e)
		if !e.Open() || len(rs.Escalation[team]) == 0 || !Treat(e).Escalate {
			continue
		}
		clk := digest.Clock(e, in.SLA(team, e.Status), now)
		b := state.Breach{Episode: e.ID, Status: e.Status}
		if clk == nil || clk.State != digest.SLABreached || done[b] {
			continue
		}
		if _, ok := breached[team]; !ok {
			order = append(order, team)
		}
		breached[team] = append(breached[team], e)
		breaches[team] = append(breaches[team], b)
	}
	var out []Planned
	for _, team := range order {
		one := in
		one.Episodes, one.Team = breached[team], team
		one.Since = func(string) time.Time { return now } // all of them ongoing, with their SLA state
		d := digest.Make(one)
		n := len(breaches[team])
		subject := fmt.Sprintf("fleetcheck escalation for %s: %d SLA %s breached", team, n, plural(n, "deadline", "deadlines"))
		preface := fmt.Sprintf("**Escalation**: %s has %d failure%s past its SLA (you are its escalation target).\n\n", team, n, plural(n, "", "s"))
		rows, err := rowsFor(d, team, rs.Escalation[team], sw.ID, KindEscalation, subject, preface)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, Planned{Row: r, Breaches: breaches[team]})
		}
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// push is the Alertmanager row for sweep sw (nil when there is nothing
// to send) and whether a push is due at all (false when sw was pushed).
func push(ctx context.Context, store state.Store, in digest.Input, resend time.Duration, sw state.Sweep, now time.Time) (*state.OutboxRow, bool, error) {
	last, pushed, err := store.LastPush(ctx, Alertmanager)
	if err != nil {
		return nil, false, err
	}
	if pushed && last.Sweep >= sw.ID {
		return nil, false, nil
	}
	eps := in.Episodes
	if pushed {
		// Resolved since the last push: ended by a later sweep.
		if eps, err = store.Episodes(ctx, state.EpisodeFilter{Since: last.At.Add(-digest.DefaultWindow)}); err != nil {
			return nil, false, err
		}
	}
	var out []alertmanager.Episode
	var extra []map[string]string // each alert's triage annotations
	for _, e := range eps {
		tr := Treat(e)
		if !tr.Alert || !e.Open() && (!pushed || e.EndSweep <= last.Sweep) {
			continue
		}
		team := digest.TeamOf(e)
		ae := alertmanager.Episode{Host: e.Host, Check: e.Check, Team: team, Severity: strings.ToLower(e.Status.String()),
			Unowned: e.Owner.Unowned, Summary: e.Summary, Rule: e.Owner.Rule, FirstSeen: e.FirstSeen, Acknowledged: tr.Acknowledged, Resolved: e.Ended}
		if in.SLA != nil {
			ae.SLA = slaWords(digest.Clock(e, in.SLA(team, e.Status), now))
		}
		out = append(out, ae)
		extra = append(extra, digest.AlertAnnotations(e))
	}
	if len(out) == 0 {
		return nil, true, nil
	}
	list := alertmanager.Alerts(now, resend, out)
	for i, ann := range extra {
		for k, v := range ann {
			if list[i].Annotations == nil {
				list[i].Annotations = map[string]string{}
			}
			list[i].Annotations[k] = v
		}
	}
	alerts, err := json.Marshal(list)
	if err != nil {
		return nil, false, fmt.Errorf("deliver: encoding the alerts: %w", err)
	}
	id := notify.ID{Receiver: Alertmanager, Sweep: sw.ID}
	return &state.OutboxRow{ID: id.String(), Receiver: Alertmanager, Sweep: sw.ID, Kind: KindAlertmanager,
		Subject: fmt.Sprintf("fleetcheck alerts after sweep %d: %d", sw.ID, len(out)), Alerts: alerts, Queued: now}, true, nil
}

// slaWords is the sla annotation: ok, near, or breached and how long ago.
func slaWords(c *digest.SLA) string {
	switch {
	case c == nil:
		return ""
	case c.State == digest.SLABreached:
		return "breached " + digest.Age(c.Breached.Duration()) + " ago"
	}
	return string(c.State)
}

// Apply queues p in q and moves the marks with it: a team's digest mark,
// the breaches an escalation row that was queued covers (one already
// queued under the same id leaves its breaches for the next sweep), and
// the last push.
func Apply(ctx context.Context, q state.Queue, p Plan, now time.Time) error {
	if p.Sweep == nil {
		return nil
	}
	for _, pl := range p.Rows {
		added, err := q.Enqueue(ctx, pl.Row)
		if err != nil {
			return err
		}
		if !added {
			continue
		}
		for _, b := range pl.Breaches {
			if _, err := q.MarkEscalated(ctx, b, p.Sweep.ID, now); err != nil {
				return err
			}
		}
	}
	for _, t := range p.Delivered {
		if err := q.MarkDelivered(ctx, t, p.Sweep.ID, now); err != nil {
			return err
		}
	}
	if p.Pushed {
		if err := q.MarkPushed(ctx, Alertmanager, p.Sweep.ID, now); err != nil {
			return err
		}
	}
	return nil
}
