package state

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
)

func outboxIDs(rows []OutboxRow) []string {
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestOutboxQueueClaimSettle: rows queued in one transaction with the
// marks; an id queued once; a claim excludes other runs (and what is
// queued behind their rows for the same destination) until it expires or
// is released; settling counts the attempt and keeps the row.
func TestOutboxQueueClaimSettle(t *testing.T) {
	forBackends(t, func(t *testing.T, fresh func(*testing.T) string) { testOutbox(t, fresh(t)) })
}

func testOutbox(t *testing.T, where string) {
	ctx := context.Background()
	c := &clock{t: t0}
	s := openTest(t, where, c)
	sw, _ := record(t, s, c, sweepSpec{hosts: []string{"a"}, results: []health.Record{res("a", "disk", health.Critical, "ops")}})
	eps, err := s.Episodes(ctx, EpisodeFilter{OpenOnly: true})
	if err != nil || len(eps) != 1 {
		t.Fatalf("episodes %v %v", eps, err)
	}

	q, err := s.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, receiver string
		added        bool
	}{{"fc-1.ops.chat", "chat", true}, {"fc-1.ops.webhook", "webhook", true}, {"fc-1.ops.chat", "chat", false}} {
		added, err := q.Enqueue(ctx, OutboxRow{ID: tc.id, Team: "ops", Receiver: tc.receiver, Sweep: sw.ID, Kind: "digest", Subject: "s", Markdown: "m", Body: []byte(`{}`)})
		if err != nil || added != tc.added {
			t.Errorf("Enqueue %s = %v, %v; want %v", tc.id, added, err, tc.added)
		}
	}
	b := Breach{Episode: eps[0].ID, Status: health.Critical}
	for i, want := range []bool{true, false} {
		if ok, err := q.MarkEscalated(ctx, b, sw.ID, c.now()); err != nil || ok != want {
			t.Errorf("MarkEscalated #%d = %v, %v", i+1, ok, err)
		}
	}
	if err := q.MarkDelivered(ctx, "ops", sw.ID, c.now()); err != nil {
		t.Fatal(err)
	}
	if err := q.MarkPushed(ctx, "alertmanager", sw.ID, c.now()); err != nil {
		t.Fatal(err)
	}
	if err := q.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if d, ok, err := s.LastDelivered(ctx, "ops"); err != nil || !ok || d.Sweep != sw.ID {
		t.Errorf("LastDelivered = %+v %v %v", d, ok, err)
	}
	if p, ok, err := s.LastPush(ctx, "alertmanager"); err != nil || !ok || p.Sweep != sw.ID || !p.At.Equal(c.now()) {
		t.Errorf("LastPush = %+v %v %v", p, ok, err)
	}
	if esc, err := s.Escalated(ctx); err != nil || !esc[b] || len(esc) != 1 {
		t.Errorf("Escalated = %v %v", esc, err)
	}

	// An aborted queue leaves nothing.
	q, err = s.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, OutboxRow{ID: "fc-9.x.chat", Team: "x", Receiver: "chat", Kind: "digest"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Abort(); err != nil {
		t.Fatal(err)
	}

	until := c.now().Add(time.Minute)
	a, err := s.Claim(ctx, "run-a", until)
	if err != nil {
		t.Fatal(err)
	}
	if got := outboxIDs(a); !slices.Equal(got, []string{"fc-1.ops.chat", "fc-1.ops.webhook"}) {
		t.Fatalf("run a claimed %v", got)
	}
	if string(a[0].Body) != `{}` || a[0].Alerts != nil || a[0].ClaimedBy != "run-a" || !a[0].ClaimUntil.Equal(until) {
		t.Errorf("claimed row %+v", a[0])
	}
	// Run b queues one more for the chat: it waits behind run a's row.
	q, _ = s.Queue(ctx)
	if _, err := q.Enqueue(ctx, OutboxRow{ID: "fc-2.ops.chat", Team: "ops", Receiver: "chat", Sweep: 2, Kind: "digest"}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, OutboxRow{ID: "fc-2.dev.chat", Team: "dev", Receiver: "chat", Sweep: 2, Kind: "digest"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	bb, err := s.Claim(ctx, "run-b", until)
	if err != nil || !slices.Equal(outboxIDs(bb), []string{"fc-2.dev.chat"}) {
		t.Fatalf("run b claimed %v (%v), want only the other destination's row", outboxIDs(bb), err)
	}

	if err := s.Attempted(ctx, "fc-1.ops.chat", c.now(), "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, "fc-1.ops.chat", OutboxDelivered, c.now(), ""); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, "fc-1.ops.webhook", OutboxRefused, c.now(), "HTTP 400"); err != nil {
		t.Fatal(err)
	}
	if err := s.Settle(ctx, "fc-1.ops.webhook", OutboxDelivered, c.now(), ""); err != nil {
		t.Fatal(err) // already settled: left as it is
	}
	if err := s.Release(ctx, "run-b"); err != nil {
		t.Fatal(err)
	}
	// Run a's head is settled: fc-2.ops.chat is free; dev's was released.
	cc, err := s.Claim(ctx, "run-c", until)
	if err != nil || !slices.Equal(outboxIDs(cc), []string{"fc-2.ops.chat", "fc-2.dev.chat"}) {
		t.Fatalf("run c claimed %v (%v)", outboxIDs(cc), err)
	}
	// Run c dies; once its claim expires, run d takes them over.
	if d, _ := s.Claim(ctx, "run-d", until); len(d) != 0 {
		t.Errorf("run d claimed %v while run c holds them", outboxIDs(d))
	}
	c.advance(2 * time.Minute)
	if d, _ := s.Claim(ctx, "run-d", c.now().Add(time.Minute)); len(d) != 2 {
		t.Errorf("run d claimed %v after run c's claim expired", outboxIDs(d))
	}

	all, err := s.Outbox(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range all {
		got = append(got, r.ID+" "+r.State+" "+r.LastError+" "+string(rune('0'+r.Attempts)))
	}
	want := []string{"fc-1.ops.chat delivered HTTP 500 2", "fc-1.ops.webhook refused HTTP 400 1", "fc-2.ops.chat pending  0", "fc-2.dev.chat pending  0"}
	if !slices.Equal(got, want) {
		t.Errorf("outbox:\n%q\nwant\n%q", got, want)
	}
	if err := s.Settle(ctx, "fc-2.ops.chat", "bogus", c.now(), ""); err == nil {
		t.Error("Settle took an unknown state")
	}
}
