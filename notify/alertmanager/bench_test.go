package alertmanager

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// BenchmarkPushRealAlertmanager is one push of 100 firing alerts to the
// real Alertmanager (skipped without it).
func BenchmarkPushRealAlertmanager(b *testing.B) {
	hook := notifytest.New(b)
	base := notifytest.Alertmanager(b, hook.URL)
	r, err := New(Config{URL: notify.NewSecret(base)})
	if err != nil {
		b.Fatal(err)
	}
	eps := make([]Episode, 100)
	for i := range eps {
		eps[i] = Episode{Host: fmt.Sprintf("web%03d", i), Check: "disk", Team: "traffic", Severity: "critical", FirstSeen: time.Now().Add(-time.Hour)}
	}
	m := &notify.Message{Alerts: Alerts(time.Now(), time.Hour, eps)}
	for b.Loop() {
		if _, err := r.Notify(context.Background(), m); err != nil {
			b.Fatal(err)
		}
	}
}
