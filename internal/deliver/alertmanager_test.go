package deliver

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// TestPostToRealAlertmanager: through Post, against Debian's
// prometheus-alertmanager: the failures are firing alerts with SPEC's
// labels and annotations; a silence created in Alertmanager silences
// one; once the other is fixed, the next post resolves it.
func TestPostToRealAlertmanager(t *testing.T) {
	hook := notifytest.New(t)
	base := notifytest.Alertmanager(t, hook.URL)
	_, urls := newServers(t)
	f := newFixture(t, urls, fmt.Sprintf("notify:\n  alertmanager: {url: %q, resend_interval: 24h}\n", base))
	// Sweeps an hour apart, the last one just before now: Alertmanager
	// takes no alert from the future.
	f.clock.t = time.Now().UTC().Truncate(time.Second).Add(-4 * time.Hour)

	first := f.sweep(map[string]health.Status{"web1": health.Critical, "db2": health.Warning})
	rep := f.post(f.store, 20*time.Second)
	t.Logf("first post: %v; Alertmanager push latency %s", states(rep.Result), rep.Result.Outcomes[len(rep.Result.Outcomes)-1].Latency)
	got, raw := notifytest.AlertmanagerAlerts(t, base)
	t.Logf("GET /api/v2/alerts after the first post: %s", raw)
	w, ok := got["web1/disk"]
	if !ok || len(got) != 2 {
		t.Fatalf("alerts %v", got)
	}
	want := map[string]string{"alertname": "FleetcheckFailure", "host": "web1", "check": "disk", "team": "web", "severity": "critical", "unowned": "false"}
	if fmt.Sprint(w.Labels) != fmt.Sprint(want) {
		t.Errorf("labels %v, want %v", w.Labels, want)
	}
	if w.Annotations["summary"] != "disk CRITICAL" || w.Annotations["rule"] != "web" || w.Annotations["sla"] != "ok" || w.Annotations["first_seen"] != first.Started.Format(time.RFC3339) {
		t.Errorf("annotations %v", w.Annotations)
	}
	if !w.EndsAt.Equal(f.clock.now().Add(4*24*time.Hour)) || w.Status.State != "active" {
		t.Errorf("endsAt %s (want now + 4 × resend_interval = %s), state %s", w.EndsAt, f.clock.now().Add(96*time.Hour), w.Status.State)
	}
	if d := got["db2/disk"]; d.Labels["team"] != "ops" || d.Labels["severity"] != "warning" {
		t.Errorf("db2 labels %v", d.Labels)
	}

	id := notifytest.Silence(t, base, "host", "db2", time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	f.sweep(map[string]health.Status{"web1": health.Critical, "db2": health.Warning})
	f.post(f.store, 20*time.Second)
	notifytest.Eventually(t, "db2 silenced, web1 active", func() bool {
		got, _ := notifytest.AlertmanagerAlerts(t, base)
		d := got["db2/disk"]
		return d.Status.State == "suppressed" && len(d.Status.SilencedBy) == 1 && d.Status.SilencedBy[0] == id && got["web1/disk"].Status.State == "active"
	})

	f.sweep(map[string]health.Status{"db2": health.Warning}) // web1 fixed
	rep = f.post(f.store, 20*time.Second)
	notifytest.Eventually(t, "web1 resolved", func() bool {
		got, _ := notifytest.AlertmanagerAlerts(t, base)
		_, firing := got["web1/disk"]
		_, db := got["db2/disk"]
		return !firing && db
	})
	notifytest.Eventually(t, "Alertmanager told its receiver web1 resolved", func() bool {
		for _, r := range hook.Requests() {
			var n struct {
				Status string `json:"status"`
				Alerts []struct {
					Labels map[string]string `json:"labels"`
				} `json:"alerts"`
			}
			if json.Unmarshal(r.Body, &n) == nil && n.Status == "resolved" && len(n.Alerts) == 1 && n.Alerts[0].Labels["host"] == "web1" {
				return true
			}
		}
		return false
	})
	_, raw = notifytest.AlertmanagerAlerts(t, base)
	t.Logf("third post: %v\nGET /api/v2/alerts after web1 was fixed: %s", states(rep.Result), raw)
	// The next push does not send web1's resolution again.
	f.sweep(map[string]health.Status{"db2": health.Warning})
	f.post(f.store, 20*time.Second)
	rows, _ := f.store.Outbox(t.Context(), "")
	for _, r := range rows {
		if r.Kind == KindAlertmanager {
			t.Logf("%s: %s", r.ID, r.Alerts)
		}
	}
	last := rows[len(rows)-1]
	var alerts []struct {
		Labels map[string]string `json:"labels"`
	}
	if err := json.Unmarshal(last.Alerts, &alerts); err != nil || last.Kind != KindAlertmanager || len(alerts) != 1 || alerts[0].Labels["host"] != "db2" {
		t.Errorf("the fourth push %s sent %s, want db2 only", last.ID, last.Alerts)
	}
}
