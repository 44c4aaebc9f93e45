package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

func TestAlertsRule(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	first := now.Add(-3 * time.Hour)
	got := Alerts(now, 30*time.Minute, []Episode{
		{Host: "web1", Check: "disk", Team: "traffic", Severity: "critical", Summary: "disk CRITICAL", Rule: "caches", FirstSeen: first, SLA: "breached 1h ago"},
		{Host: "db2", Team: "infra-triage", Severity: "unreachable", Unowned: true, FirstSeen: first, Acknowledged: true},
		{Host: "db1", Check: "load", Team: "storage", Severity: "warning", FirstSeen: first, Resolved: now.Add(-10 * time.Minute)},
	})
	want := []notify.Alert{
		{Labels: map[string]string{"alertname": AlertName, "host": "web1", "check": "disk", "team": "traffic", "severity": "critical", "unowned": "false"},
			Annotations: map[string]string{"summary": "disk CRITICAL", "rule": "caches", "first_seen": "2026-12-01T09:00:00Z", "sla": "breached 1h ago"},
			StartsAt:    first, EndsAt: now.Add(2 * time.Hour)},
		{Labels: map[string]string{"alertname": AlertName, "host": "db2", "check": "host", "team": "infra-triage", "severity": "unreachable", "unowned": "true", "acknowledged": "true"},
			Annotations: map[string]string{"first_seen": "2026-12-01T09:00:00Z"},
			StartsAt:    first, EndsAt: now.Add(2 * time.Hour)},
		{Labels: map[string]string{"alertname": AlertName, "host": "db1", "check": "load", "team": "storage", "severity": "warning", "unowned": "false"},
			Annotations: map[string]string{"first_seen": "2026-12-01T09:00:00Z"},
			StartsAt:    first, EndsAt: now.Add(-10 * time.Minute)},
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("Alerts:\n%s\nwant:\n%s", g, w)
	}
}

func TestNotifyAgainstScriptedServer(t *testing.T) {
	srv := notifytest.New(t, notifytest.Answer{Status: 500}, notifytest.Answer{Status: 400})
	r, err := New(Config{URL: notify.NewSecret("http://user:SECRET@" + strings.TrimPrefix(srv.URL, "http://") + "/am/")})
	if err != nil {
		t.Fatal(err)
	}
	m := &notify.Message{Alerts: Alerts(time.Now(), 0, []Episode{{Host: "h", Check: "c", Severity: "critical", FirstSeen: time.Now()}})}
	for _, want := range []bool{true, false} {
		retry, err := r.Notify(context.Background(), m)
		if err == nil || retry != want || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("retry %v err %v, want retry %v and no secret", retry, err, want)
		}
	}
	if _, err := r.Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	notifytest.Hidden(t, "SECRET", r, *r)
	reqs := srv.Requests()
	if u, p, _ := basicAuth(reqs[2].Header); u != "user" || p != "SECRET" {
		t.Errorf("basic auth from the URL not sent")
	}
	var sent []notify.Alert
	if err := json.Unmarshal(reqs[2].Body, &sent); err != nil || len(sent) != 1 {
		t.Errorf("body %s: %v", reqs[2].Body, err)
	}
}

func basicAuth(h http.Header) (string, string, bool) {
	r := &http.Request{Header: h}
	return r.BasicAuth()
}

// push sends one sweep's alerts through the Dispatcher, as --post will.
func push(t *testing.T, base string, sweep int64, alerts []notify.Alert) notify.Outcome {
	t.Helper()
	r, err := New(Config{URL: notify.NewSecret(base)})
	if err != nil {
		t.Fatal(err)
	}
	ob := &notify.MemoryOutbox{}
	m := notify.Message{ID: notify.ID{Receiver: "alertmanager", Sweep: sweep}, Alerts: alerts}
	ob.Enqueue(m, time.Now())
	res := notifytest.Run(t, &notify.Dispatcher{Outbox: ob, Receivers: map[notify.Dest]notify.Receiver{m.ID.Dest(): r}})
	if o := res.Outcomes[0]; o.State != notify.Delivered {
		t.Fatalf("push %d: %s: %s", sweep, o.State, o.Err)
	}
	return res.Outcomes[0]
}

// eventually polls cond for up to 10s.
func TestRealAlertmanager(t *testing.T) {
	hook := notifytest.New(t)
	base := notifytest.Alertmanager(t, hook.URL)
	now := time.Now().UTC().Truncate(time.Second)
	first := now.Add(-2 * time.Hour)
	web := Episode{Host: "web1.dc1", Check: "disk", Team: "traffic", Severity: "critical", Summary: "disk CRITICAL: / 97%", Rule: "caches", FirstSeen: first, SLA: "ok"}
	db := Episode{Host: "db2.dc1", Team: "infra-triage", Severity: "unreachable", Unowned: true, Summary: "timed out", FirstSeen: first, Acknowledged: true}

	// Sweep 1: both open.
	o := push(t, base, 1, Alerts(now, time.Hour, []Episode{web, db}))
	t.Logf("push of 2 firing alerts delivered in %s", o.Latency)
	got, raw := notifytest.AlertmanagerAlerts(t, base)
	t.Logf("GET /api/v2/alerts after the first push: %s", raw)
	w, ok := got["web1.dc1/disk"]
	if !ok || len(got) != 2 {
		t.Fatalf("alerts %v", got)
	}
	wantLabels := map[string]string{"alertname": "FleetcheckFailure", "host": "web1.dc1", "check": "disk", "team": "traffic", "severity": "critical", "unowned": "false"}
	if fmt.Sprint(w.Labels) != fmt.Sprint(wantLabels) {
		t.Errorf("labels %v, want %v", w.Labels, wantLabels)
	}
	if w.Annotations["summary"] != web.Summary || w.Annotations["rule"] != "caches" || w.Annotations["sla"] != "ok" || w.Annotations["first_seen"] != first.Format(time.RFC3339) {
		t.Errorf("annotations %v", w.Annotations)
	}
	if !w.StartsAt.Equal(first) || !w.EndsAt.Equal(now.Add(4*time.Hour)) || w.Status.State != "active" {
		t.Errorf("startsAt %s endsAt %s state %s; want %s, %s, active", w.StartsAt, w.EndsAt, w.Status.State, first, now.Add(4*time.Hour))
	}
	if d := got["db2.dc1/host"]; d.Labels["acknowledged"] != "true" || d.Labels["unowned"] != "true" {
		t.Errorf("db2 labels %v", d.Labels)
	}

	// A silence created in Alertmanager silences it.
	created := struct{ SilenceID string }{notifytest.Silence(t, base, "host", "db2.dc1", now.Add(-time.Minute), now.Add(time.Hour))}
	// Sweep 2: the same failures pushed again; db2 stays silenced, web1 active.
	push(t, base, 2, Alerts(now.Add(time.Minute), time.Hour, []Episode{web, db}))
	notifytest.Eventually(t, "db2 suppressed by the silence", func() bool {
		got, _ := notifytest.AlertmanagerAlerts(t, base)
		d := got["db2.dc1/host"]
		return d.Status.State == "suppressed" && len(d.Status.SilencedBy) == 1 && d.Status.SilencedBy[0] == created.SilenceID && got["web1.dc1/disk"].Status.State == "active"
	})

	// Sweep 3: web1 fixed: sent once as resolved; Alertmanager resolves it.
	fixed := web
	fixed.Resolved = time.Now().UTC().Add(-time.Second)
	push(t, base, 3, Alerts(time.Now(), time.Hour, []Episode{fixed, db}))
	notifytest.Eventually(t, "web1 resolved", func() bool {
		got, _ := notifytest.AlertmanagerAlerts(t, base)
		_, active := got["web1.dc1/disk"]
		_, still := got["db2.dc1/host"]
		return !active && still
	})
	_, raw = notifytest.AlertmanagerAlerts(t, base)
	t.Logf("GET /api/v2/alerts after web1 was resolved: %s", raw)
	// Its API lists only unresolved alerts; that web1 was resolved, not
	// dropped, shows in what Alertmanager itself sent its receiver.
	notifytest.Eventually(t, "Alertmanager notified its receiver that web1 resolved", func() bool {
		for _, r := range hook.Requests() {
			var n struct {
				Status string `json:"status"`
				Alerts []struct {
					Status string            `json:"status"`
					Labels map[string]string `json:"labels"`
				} `json:"alerts"`
			}
			if json.Unmarshal(r.Body, &n) == nil && n.Status == "resolved" && len(n.Alerts) == 1 && n.Alerts[0].Labels["host"] == "web1.dc1" {
				return true
			}
		}
		return false
	})
	for _, r := range hook.Requests() {
		t.Logf("Alertmanager sent its receiver: %s", r.Body)
	}
}
