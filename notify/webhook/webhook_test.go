package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// The Standard Webhooks specification's published test vector (also in
// its reference libraries' tests).
func TestSignStandardWebhooksVector(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestParseSecretRefuses(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not*base64SECRET"} {
		_, err := ParseSecret(s)
		if err == nil {
			t.Errorf("%q accepted", s)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%q: the error shows the secret: %v", s, err)
		}
	}
}

const secret = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHM=" // "secret-key-for-tests"

// verify is an independent Standard Webhooks verification, as a
// receiver would write it from the specification.
func verify(t *testing.T, r notifytest.Request) {
	t.Helper()
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%s.%s", id, ts, r.Body)
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	if got := r.Header.Get("webhook-signature"); got != want {
		t.Errorf("webhook-signature %q, want %q", got, want)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > time.Minute {
		t.Errorf("webhook-timestamp %q is not now", ts)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
}

func digest(team string, sweep int64) notify.Message {
	return notify.Message{
		ID:   notify.ID{Team: team, Receiver: "webhook", Sweep: sweep},
		Team: team,
		JSON: fmt.Appendf(nil, `{"schema":"fleetcheck.digest/v1","sweep":{"id":%d},"teams":[{"team":%q}]}`, sweep, team),
	}
}

// run drains ob once into srv through a Dispatcher.
func run(t *testing.T, ob notify.Outbox, srv *notifytest.Server, timeout time.Duration, logs *bytes.Buffer) notify.Result {
	t.Helper()
	r, err := New(Config{URL: notify.NewSecret(srv.URL + "/hooks/T0/SECRETPATH"), Secret: notify.NewSecret(secret), Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	d := &notify.Dispatcher{
		Outbox:    ob,
		Receivers: map[notify.Dest]notify.Receiver{{Team: "traffic", Receiver: "webhook"}: r},
		Timeout:   timeout,
	}
	if logs != nil {
		d.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return notifytest.Run(t, d)
}

func TestWebhookDelivery(t *testing.T) {
	tests := []struct {
		name      string
		script    []notifytest.Answer
		state     notify.State
		requests  int
		exit      int
		minGap    time.Duration // between the first two requests
		errSubstr string
	}{
		{name: "success", state: notify.Delivered, requests: 1},
		{name: "500 then success", script: []notifytest.Answer{{Status: 500}}, state: notify.Delivered, requests: 2},
		{name: "429 with Retry-After", script: []notifytest.Answer{{Status: 429, RetryAfter: time.Second}}, state: notify.Delivered, requests: 2, minGap: time.Second},
		{name: "400 permanent", script: []notifytest.Answer{{Status: 400}}, state: notify.Refused, requests: 1, exit: notify.ExitRefused, errSubstr: "HTTP 400"},
		{name: "connection dropped", script: []notifytest.Answer{{Down: true}, {Down: true}, {Down: true}}, state: notify.Queued, requests: 3, exit: notify.ExitQueued},
		{name: "hangs past the deadline", script: []notifytest.Answer{{Hang: true}, {Hang: true}, {Hang: true}}, state: notify.Queued, requests: 3, exit: notify.ExitQueued, errSubstr: "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := notifytest.New(t, tt.script...)
			ob := &notify.MemoryOutbox{}
			ob.Enqueue(digest("traffic", 5), time.Now())
			var logs bytes.Buffer
			res := run(t, ob, srv, 200*time.Millisecond, &logs)
			o := res.Outcomes[0]
			reqs := srv.Requests()
			if o.State != tt.state || len(reqs) != tt.requests || res.ExitCode() != tt.exit {
				t.Fatalf("%s after %d requests, exit %d (%s); want %s after %d, exit %d", o.State, len(reqs), res.ExitCode(), o.Err, tt.state, tt.requests, tt.exit)
			}
			if !strings.Contains(o.Err, tt.errSubstr) {
				t.Errorf("error %q, want it to say %q", o.Err, tt.errSubstr)
			}
			for _, r := range reqs {
				verify(t, r)
				if r.Header.Get("webhook-id") != "fc-5.traffic.webhook" {
					t.Errorf("webhook-id %q", r.Header.Get("webhook-id"))
				}
			}
			if tt.minGap > 0 && reqs[1].At.Sub(reqs[0].At) < tt.minGap {
				t.Errorf("retried after %s, before Retry-After %s", reqs[1].At.Sub(reqs[0].At), tt.minGap)
			}
			if out := logs.String() + o.Err; strings.Contains(out, "SECRET") || strings.Contains(out, "c2VjcmV0") {
				t.Errorf("a secret shows in the logs or errors:\n%s", out)
			}
			if o.State == notify.Delivered {
				t.Logf("delivered in %s (attempt %d), %s after the run started", o.Latency, o.Attempts, o.Elapsed)
			}
		})
	}
}

// TestWebhookDownThreeRuns: a webhook down for three runs, then up:
// every digest delivered once, in order.
func TestWebhookDownThreeRuns(t *testing.T) {
	srv := notifytest.New(t)
	ob := &notify.MemoryOutbox{}
	for run_ := int64(1); run_ <= 4; run_++ {
		ob.Enqueue(digest("traffic", run_), time.Now())
		if run_ <= 3 {
			srv.Script(notifytest.Answer{Status: 503}, notifytest.Answer{Status: 502}, notifytest.Answer{Down: true})
		} else {
			srv.Script()
		}
		res := run(t, ob, srv, time.Second, nil)
		want := notify.ExitQueued
		if run_ == 4 {
			want = 0
		}
		if res.ExitCode() != want {
			t.Errorf("run %d: exit %d, want %d: %+v", run_, res.ExitCode(), want, res.Outcomes)
		}
		pending, _ := ob.Pending(context.Background())
		t.Logf("after run %d: %d pending, head attempted %d times", run_, len(pending), func() int {
			if len(pending) == 0 {
				return 0
			}
			return pending[0].Attempts
		}())
	}
	var ids []string
	for _, r := range srv.Delivered() {
		ids = append(ids, r.Header.Get("webhook-id"))
	}
	if want := "[fc-1.traffic.webhook fc-2.traffic.webhook fc-3.traffic.webhook fc-4.traffic.webhook]"; fmt.Sprint(ids) != want {
		t.Errorf("delivered %v, want %s", ids, want)
	}
}

// lost is an outbox whose marks of delivery are lost, as when the
// process is killed between sending and marking.
type lost struct{ *notify.MemoryOutbox }

func (lost) Delivered(context.Context, notify.ID, time.Time) error { return nil }

func TestWebhookKilledBetweenSendAndMark(t *testing.T) {
	srv := notifytest.New(t)
	ob := &notify.MemoryOutbox{}
	ob.Enqueue(digest("traffic", 9), time.Now())
	run(t, lost{ob}, srv, time.Second, nil)
	run(t, ob, srv, time.Second, nil)
	run(t, ob, srv, time.Second, nil)
	d := srv.Delivered()
	if len(d) != 2 || d[0].Header.Get("webhook-id") != d[1].Header.Get("webhook-id") || !bytes.Equal(d[0].Body, d[1].Body) {
		t.Errorf("want the same delivery twice (same webhook-id, same body), then nothing; got %d", len(d))
	}
}

func TestReceiverHidesSecrets(t *testing.T) {
	r, err := New(Config{URL: notify.NewSecret("https://h.example.org/SECRETPATH"), Secret: notify.NewSecret(secret)})
	if err != nil {
		t.Fatal(err)
	}
	notifytest.Hidden(t, "SECRET", r, *r)
	notifytest.Hidden(t, "c2VjcmV0", r, *r)
}

func TestNewRefusesWithoutShowingSecrets(t *testing.T) {
	for _, c := range []Config{
		{URL: notify.NewSecret("ftp://h/SECRETPATH")},
		{URL: notify.NewSecret("::SECRETPATH")},
		{URL: notify.NewSecret("https://h/x"), Secret: notify.NewSecret("SECRETKEY")},
	} {
		r, err := New(c)
		if err == nil {
			t.Errorf("%v accepted", c)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(fmt.Sprintf("%v %+v", c, r), "SECRET") {
			t.Errorf("secret shown: %v", err)
		}
	}
}
