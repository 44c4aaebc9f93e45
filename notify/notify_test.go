package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// script is a receiver that answers from a list, then succeeds; it
// records the ids it was sent.
type script struct {
	mu      sync.Mutex
	answers []error // nil: success; a *perm: permanent
	seen    []string
}

type perm struct{ error }

func (s *script) Notify(ctx context.Context, msg *Message) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.answers) == 0 {
		s.seen = append(s.seen, msg.ID.String())
		return false, nil
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	var p perm
	if errors.As(a, &p) {
		return false, p.error
	}
	if a == nil {
		s.seen = append(s.seen, msg.ID.String())
	}
	return a != nil, a
}

func msg(team, rcv string, sweep int64) Message {
	return Message{ID: ID{Team: team, Receiver: rcv, Sweep: sweep}, Team: team, Subject: fmt.Sprintf("digest %d", sweep), Markdown: "# digest\n"}
}

var fast = Backoff{Initial: time.Millisecond, Max: 4 * time.Millisecond, Attempts: 3}

func TestDispatcherOutcomes(t *testing.T) {
	boom := errors.New("HTTP 500")
	tests := []struct {
		name     string
		answers  []error
		state    State
		attempts int
		exit     int
	}{
		{"success", nil, Delivered, 1, 0},
		{"500 then success", []error{boom}, Delivered, 2, 0},
		{"permanent", []error{perm{errors.New("HTTP 400")}}, Refused, 1, ExitRefused},
		{"down all run", []error{boom, boom, boom}, Queued, 3, ExitQueued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob := &MemoryOutbox{}
			m := msg("traffic", "chat", 1)
			ob.Enqueue(m, time.Now())
			r := &script{answers: tt.answers}
			d := &Dispatcher{Outbox: ob, Receivers: map[Dest]Receiver{m.ID.Dest(): r}, Backoff: fast}
			res, err := d.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			o := res.Outcomes[0]
			if o.State != tt.state || o.Attempts != tt.attempts || res.ExitCode() != tt.exit {
				t.Errorf("got %s after %d attempts, exit %d; want %s, %d, %d", o.State, o.Attempts, res.ExitCode(), tt.state, tt.attempts, tt.exit)
			}
			st, n := ob.State(m.ID)
			want := map[State]string{Delivered: "delivered", Refused: "refused", Queued: ""}[tt.state]
			if st != want || n != tt.attempts {
				t.Errorf("outbox says %q after %d attempts, want %q after %d", st, n, want, tt.attempts)
			}
		})
	}
}

// TestDispatcherDownThreeRuns: a receiver down for three runs, then up:
// every digest delivered once, in order, the oldest first; other teams
// are not held up meanwhile.
func TestDispatcherDownThreeRuns(t *testing.T) {
	ob := &MemoryOutbox{}
	down := &script{}
	up := &script{}
	d := &Dispatcher{Outbox: ob, Backoff: fast, Receivers: map[Dest]Receiver{
		{Team: "traffic", Receiver: "chat"}: down,
		{Team: "storage", Receiver: "chat"}: up,
	}}
	for run := int64(1); run <= 4; run++ {
		ob.Enqueue(msg("traffic", "chat", run), time.Now())
		ob.Enqueue(msg("storage", "chat", run), time.Now())
		down.mu.Lock()
		if run <= 3 {
			// Enough failures for every attempt of this run.
			down.answers = []error{errors.New("connection refused"), errors.New("connection refused"), errors.New("connection refused")}
		} else {
			down.answers = nil
		}
		down.mu.Unlock()
		res, err := d.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		wantQueued := int(run)
		if run == 4 {
			wantQueued = 0
		}
		if got := res.Count(Queued); got != wantQueued {
			t.Errorf("run %d: %d queued, want %d", run, got, wantQueued)
		}
		if run < 4 && res.ExitCode() != ExitQueued || run == 4 && res.ExitCode() != 0 {
			t.Errorf("run %d: exit %d", run, res.ExitCode())
		}
		// The blocked ones were not tried: only the head of the queue.
		for _, o := range res.Outcomes {
			if o.ID.Team == "traffic" && o.State == Queued && o.ID.Sweep > 1 && o.Attempts != 0 {
				t.Errorf("run %d: %s attempted %d times behind a failing one", run, o.ID, o.Attempts)
			}
		}
	}
	want := []string{"fc-1.traffic.chat", "fc-2.traffic.chat", "fc-3.traffic.chat", "fc-4.traffic.chat"}
	if fmt.Sprint(down.seen) != fmt.Sprint(want) {
		t.Errorf("down receiver got %v, want %v", down.seen, want)
	}
	if len(up.seen) != 4 {
		t.Errorf("the healthy receiver got %v, want 4 deliveries", up.seen)
	}
	if p, _ := ob.Pending(context.Background()); len(p) != 0 {
		t.Errorf("still pending: %v", p)
	}
}

// forgetful is an outbox whose Delivered is lost, as when the process is
// killed between sending and marking.
type forgetful struct{ *MemoryOutbox }

func (forgetful) Delivered(context.Context, ID, time.Time) error { return nil }

func TestDispatcherKilledBetweenSendAndMark(t *testing.T) {
	mem := &MemoryOutbox{}
	m := msg("traffic", "webhook", 7)
	mem.Enqueue(m, time.Now())
	r := &script{}
	d := &Dispatcher{Outbox: forgetful{mem}, Receivers: map[Dest]Receiver{m.ID.Dest(): r}, Backoff: fast}
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	d.Outbox = mem // the restarted process
	if _, err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(r.seen) != 2 || r.seen[0] != r.seen[1] {
		t.Errorf("re-sent deliveries %v, want the same id twice", r.seen)
	}
	if mem.Enqueue(m, time.Now()) {
		t.Error("the outbox took the same id twice")
	}
}

// hang blocks until its context ends.
type hang struct{}

func (hang) Notify(ctx context.Context, _ *Message) (bool, error) {
	<-ctx.Done()
	return true, ctx.Err()
}

// TestDispatcherDeadline: a receiver that hangs costs one request
// timeout per attempt, and the run ends by its own deadline.
func TestDispatcherDeadline(t *testing.T) {
	ob := &MemoryOutbox{}
	m := msg("traffic", "chat", 1)
	ob.Enqueue(m, time.Now())
	d := &Dispatcher{Outbox: ob, Receivers: map[Dest]Receiver{m.ID.Dest(): hang{}}, Timeout: 50 * time.Millisecond,
		Backoff: Backoff{Initial: time.Millisecond, Attempts: 100}}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	res, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Errorf("the run went past its deadline")
	}
	o := res.Outcomes[0]
	if o.State != Queued || !strings.Contains(o.Err, "deadline") {
		t.Errorf("got %+v, want queued after a deadline", o)
	}
}

// TestDispatcherUnknownReceiver: a delivery for a receiver no longer
// configured is refused, not retried forever.
func TestDispatcherUnknownReceiver(t *testing.T) {
	ob := &MemoryOutbox{}
	ob.Enqueue(msg("gone", "chat", 1), time.Now())
	res, err := (&Dispatcher{Outbox: ob}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcomes[0].State != Refused || res.ExitCode() != ExitRefused {
		t.Errorf("got %+v", res)
	}
}

func TestBackoffBounds(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}.withDefaults()
	for n, hi := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000, 30: 1000} {
		hi *= time.Millisecond
		for range 50 {
			if w := b.wait(n); w < hi/2 || w > hi {
				t.Fatalf("wait(%d) = %s, want within [%s, %s]", n, w, hi/2, hi)
			}
		}
	}
}

func TestIDString(t *testing.T) {
	for id, want := range map[ID]string{
		{Team: "traffic", Receiver: "chat", Sweep: 12}:  "fc-12.traffic.chat",
		{Team: "a.b c", Receiver: "email", Sweep: 1}:    "fc-1.a_2Eb_20c.email",
		{Team: "team_x", Receiver: "webhook", Sweep: 3}: "fc-3.team_5Fx.webhook",
		{Team: "équipe", Receiver: "webhook", Sweep: 3}: "fc-3._C3_A9quipe.webhook",
	} {
		if got := id.String(); got != want {
			t.Errorf("%+v: %q, want %q", id, got, want)
		}
	}
}

// TestSecretNeverShown: a secret stays hidden from every way of printing
// it and from the errors of a request to a secret URL.
func TestSecretNeverShown(t *testing.T) {
	const s = "https://hooks.example.org/services/T000/B000/XXXXSECRETXXXX"
	sec := NewSecret(s)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "secret", sec)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "secret", sec)
	j, _ := json.Marshal(struct{ S Secret }{sec})
	inside := struct {
		URL  Secret
		Name string
	}{sec, "chat"}
	out := fmt.Sprint(sec) + fmt.Sprintf("%v %+v %#v %s %q", sec, sec, sec, sec, sec) + string(j) + logs.String() +
		fmt.Sprintf("%v %+v %#v", inside, inside, inside)
	if strings.Contains(out, "SECRET") {
		t.Errorf("secret shown: %s", out)
	}
	if sec.Reveal() != s {
		t.Error("Reveal lost the secret")
	}
	// A request to a secret URL that fails keeps the URL out of the error.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", 500) }))
	url := srv.URL + "/SECRETPATH"
	srv.Close()
	for _, u := range []string{url, "http://127.0.0.1:1/SECRETPATH"} {
		req, _ := http.NewRequest("POST", u, nil)
		retry, err := Post(context.Background(), nil, "chat", req)
		if err == nil || !retry || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("Post to a closed server: retry %v, err %v", retry, err)
		}
	}
}

func TestPostClassifies(t *testing.T) {
	tests := []struct {
		code       int
		retryAfter string
		retry      bool
		wait       time.Duration
	}{
		{200, "", false, 0}, {204, "", false, 0}, {400, "", false, 0}, {404, "", false, 0}, {410, "", false, 0},
		{408, "", true, 0}, {429, "3", true, 3 * time.Second}, {500, "", true, 0}, {503, "1", true, time.Second},
		{429, "100000", true, maxRetryAfter}, {400, "5", false, 0},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if tt.retryAfter != "" {
				w.Header().Set("Retry-After", tt.retryAfter)
			}
			w.WriteHeader(tt.code)
		}))
		req, _ := http.NewRequest("POST", srv.URL, nil)
		retry, err := Post(context.Background(), srv.Client(), "x", req)
		srv.Close()
		if (err == nil) != (tt.code/100 == 2) || err != nil && retry != tt.retry || retryAfter(err) != tt.wait {
			t.Errorf("%d Retry-After %q: retry %v err %v wait %s", tt.code, tt.retryAfter, retry, err, retryAfter(err))
		}
	}
}

func TestParseRetryAfterDate(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	d, ok := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now)
	if !ok || d != 90*time.Second {
		t.Errorf("got %s %v", d, ok)
	}
	if _, ok := parseRetryAfter("soon", now); ok {
		t.Error("accepted soon")
	}
}

func TestDryRunGolden(t *testing.T) {
	ob := &MemoryOutbox{}
	at := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	ob.Enqueue(Message{ID: ID{Team: "traffic", Receiver: "chat", Sweep: 41}, Team: "traffic", Subject: "fleetcheck: traffic, 1 new", Markdown: "## traffic\n\n- new: web1 disk CRITICAL\n"}, at)
	ob.Enqueue(Message{ID: ID{Team: "", Receiver: "alertmanager", Sweep: 41}, Alerts: []Alert{
		{Labels: map[string]string{"alertname": "FleetcheckFailure", "host": "web1", "check": "disk"}, EndsAt: at.Add(4 * time.Hour)},
		{Labels: map[string]string{"alertname": "FleetcheckFailure", "host": "db1", "check": "load"}, EndsAt: at.Add(-time.Hour)},
	}}, at)
	_ = ob.Attempted(context.Background(), ID{Team: "traffic", Receiver: "chat", Sweep: 41}, at, "chat: HTTP 503")
	var b bytes.Buffer
	if err := DryRun(context.Background(), ob, &b); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/dryrun.golden", b.String())
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n%s", path, got)
	}
}

// TestDispatcherRetryAfterBeyondDeadline: a Retry-After longer than
// what is left of the run is not waited for; the delivery stays queued.
func TestDispatcherRetryAfterBeyondDeadline(t *testing.T) {
	ob := &MemoryOutbox{}
	m := msg("traffic", "chat", 1)
	ob.Enqueue(m, time.Now())
	r := &script{answers: []error{&RetryAfterError{After: time.Minute, Err: errors.New("HTTP 429")}}}
	d := &Dispatcher{Outbox: ob, Receivers: map[Dest]Receiver{m.ID.Dest(): r}, Backoff: fast}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("the run waited for a Retry-After past its deadline")
	}
	if o := res.Outcomes[0]; o.State != Queued || o.Attempts != 1 || !strings.Contains(o.Err, "retry after 1m0s") {
		t.Errorf("got %+v, want queued after one attempt", o)
	}
}
