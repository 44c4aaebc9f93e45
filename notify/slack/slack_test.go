package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// longDigest has n numbered lines, so that losing or reordering one shows.
func longDigest(n int) string {
	var b strings.Builder
	b.WriteString("# fleetcheck digest\n\n## traffic: many new\n\n")
	for i := range n {
		fmt.Fprintf(&b, "- **CRITICAL** disk on `web%05d.dc1.example.org`: disk CRITICAL, since 3h, SLA 4h ok, line %06d\n", i, i)
	}
	return b.String()
}

// text is everything a payload shows, part markers removed.
func text(p Payload, textOnly bool) string {
	if textOnly {
		return p.Text
	}
	var s []string
	for _, b := range p.Blocks {
		if b.Type == "section" {
			s = append(s, b.Text.Text)
		}
	}
	return strings.Join(s, "\n")
}

func TestSplitKeepsEveryLineInOrderWithinLimits(t *testing.T) {
	for _, tt := range []struct {
		lines    int
		textOnly bool
		parts    int
	}{
		{3, false, 1}, {2000, false, 2}, {4000, false, 3}, {3, true, 1}, {400, true, 3},
	} {
		md := longDigest(tt.lines)
		parts := Split("fleetcheck: traffic", md, tt.textOnly)
		if len(parts) != tt.parts {
			t.Errorf("%d lines (text only %v): %d parts, want %d", tt.lines, tt.textOnly, len(parts), tt.parts)
		}
		var all []string
		for i, p := range parts {
			if len(p.Blocks) > MaxBlocks {
				t.Errorf("part %d: %d blocks", i+1, len(p.Blocks))
			}
			for _, b := range p.Blocks {
				if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > MaxSection {
					t.Errorf("part %d: a section of %d characters", i+1, utf8.RuneCountInString(b.Text.Text))
				}
			}
			if tt.textOnly && (utf8.RuneCountInString(p.Text) > MaxTextOnly || len(p.Blocks) > 0) {
				t.Errorf("part %d: text only with %d characters and %d blocks", i+1, utf8.RuneCountInString(p.Text), len(p.Blocks))
			}
			mark := fmt.Sprintf("(%d/%d)", i+1, len(parts))
			if len(parts) > 1 && !strings.Contains(p.Text, mark) {
				t.Errorf("part %d lacks its marker %s: %q", i+1, mark, p.Text[max(0, len(p.Text)-40):])
			}
			all = append(all, strings.TrimSuffix(text(p, tt.textOnly), "\n"+mark))
		}
		var seen []string
		for _, l := range strings.Split(strings.Join(all, "\n"), "\n") {
			if i := strings.Index(l, "line "); i >= 0 {
				seen = append(seen, l[i:])
			}
		}
		if len(seen) != tt.lines {
			t.Fatalf("%d lines delivered, want %d", len(seen), tt.lines)
		}
		for i, l := range seen {
			if want := fmt.Sprintf("line %06d", i); l != want {
				t.Fatalf("line %d is %q, want %q (lost, doubled or reordered)", i, l, want)
			}
		}
	}
}

func TestSplitCutsAVeryLongLineVisibly(t *testing.T) {
	line := strings.Repeat("é", 7000)
	parts := Split("s", line, false)
	var got string
	for _, b := range parts[0].Blocks {
		if utf8.RuneCountInString(b.Text.Text) > MaxSection {
			t.Fatalf("section of %d characters", utf8.RuneCountInString(b.Text.Text))
		}
		got += b.Text.Text
	}
	if strings.Count(got, "…") != 2 || strings.Count(got, "é") != 7000 {
		t.Errorf("cut lost something: %d é, %d …", strings.Count(got, "é"), strings.Count(got, "…"))
	}
}

func TestMrkdwn(t *testing.T) {
	in := "# fleetcheck digest\n\n## traffic: 1 new\n\n- **CRITICAL** disk on `web1`: full _(unowned)_\n  - nested\n"
	want := "*fleetcheck digest*\n\n*traffic: 1 new*\n\n• *CRITICAL* disk on `web1`: full _(unowned)_\n  • nested\n"
	if got := Mrkdwn(in); got != want {
		t.Errorf("Mrkdwn:\n%s\nwant:\n%s", got, want)
	}
}

func receiver(t *testing.T, srv *notifytest.Server, mattermost bool) *Receiver {
	t.Helper()
	r, err := New(Config{URL: notify.NewSecret(srv.URL + "/services/T0/B0/SECRETTOKEN"), Mattermost: mattermost, Client: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func dispatch(t *testing.T, r *Receiver, m notify.Message, timeout time.Duration) notify.Result {
	t.Helper()
	ob := &notify.MemoryOutbox{}
	ob.Enqueue(m, time.Now())
	return notifytest.Run(t, &notify.Dispatcher{Outbox: ob, Receivers: map[notify.Dest]notify.Receiver{m.ID.Dest(): r}, Timeout: timeout})
}

func decode(t *testing.T, r notifytest.Request) Payload {
	t.Helper()
	var p Payload
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	return p
}

func message(md string) notify.Message {
	return notify.Message{ID: notify.ID{Team: "traffic", Receiver: "chat", Sweep: 3}, Team: "traffic", Subject: "fleetcheck: traffic", Markdown: md}
}

func TestChatDelivery(t *testing.T) {
	tests := []struct {
		name       string
		md         string
		mattermost bool
		script     []notifytest.Answer
		state      notify.State
		requests   int
		minGap     time.Duration
		timeout    time.Duration // 0 means notify's default
	}{
		{name: "success", md: longDigest(3), state: notify.Delivered, requests: 1},
		{name: "Mattermost", md: longDigest(3), mattermost: true, state: notify.Delivered, requests: 1},
		{name: "500 then success", md: longDigest(3), script: []notifytest.Answer{{Status: 500}}, state: notify.Delivered, requests: 2},
		{name: "429 waits for Retry-After", md: longDigest(3), script: []notifytest.Answer{{Status: 429, RetryAfter: time.Second}}, state: notify.Delivered, requests: 2, minGap: time.Second},
		{name: "400 is permanent", md: longDigest(3), script: []notifytest.Answer{{Status: 400}}, state: notify.Refused, requests: 1},
		{name: "hangs", md: longDigest(3), script: []notifytest.Answer{{Hang: true}, {Hang: true}, {Hang: true}}, state: notify.Queued, requests: 3, timeout: 100 * time.Millisecond},
		// Part 2 of 3 fails once: the retry goes on from part 2.
		{name: "split, part 2 fails once", md: longDigest(4000), script: []notifytest.Answer{{}, {Status: 503}}, state: notify.Delivered, requests: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := notifytest.New(t, tt.script...)
			res := dispatch(t, receiver(t, srv, tt.mattermost), message(tt.md), tt.timeout)
			o := res.Outcomes[0]
			reqs := srv.Requests()
			if o.State != tt.state || len(reqs) != tt.requests {
				t.Fatalf("%s after %d requests (%s), want %s after %d", o.State, len(reqs), o.Err, tt.state, tt.requests)
			}
			if strings.Contains(o.Err, "SECRET") {
				t.Errorf("the webhook URL shows in %q", o.Err)
			}
			if tt.minGap > 0 && reqs[1].At.Sub(reqs[0].At) < tt.minGap {
				t.Errorf("retried after %s, before Retry-After", reqs[1].At.Sub(reqs[0].At))
			}
			var marks []string
			for _, r := range srv.Delivered() {
				p := decode(t, r)
				if tt.mattermost != (len(p.Blocks) == 0) {
					t.Errorf("Mattermost %v but %d blocks", tt.mattermost, len(p.Blocks))
				}
				if tt.mattermost && !strings.Contains(p.Text, "**CRITICAL**") {
					t.Errorf("Mattermost should get the Markdown: %q", p.Text[:80])
				}
				if i := strings.LastIndex(p.Text, "("); i >= 0 {
					marks = append(marks, p.Text[i:])
				}
			}
			if tt.requests == 4 && fmt.Sprint(marks) != "[(1/3) (2/3) (3/3)]" {
				t.Errorf("parts delivered %v, want each once in order", marks)
			}
			if o.State == notify.Delivered {
				t.Logf("delivered in %s (attempt %d)", o.Latency, o.Attempts)
			}
		})
	}
}

func TestNewHidesURL(t *testing.T) {
	r, err := New(Config{URL: notify.NewSecret("https://hooks.slack.com/services/T0/B0/SECRET")})
	if err != nil {
		t.Fatal(err)
	}
	notifytest.Hidden(t, "SECRET", r)
	_, err = New(Config{URL: notify.NewSecret("hooks.slack.com/services/SECRET")})
	if err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("got %v", err)
	}
}
