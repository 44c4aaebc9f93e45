package deliver

import (
	"crypto/tls"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// BenchmarkPost is one digest --post after one sweep: queueing (digests,
// the Alertmanager push) in one transaction, then delivering to a chat
// hook, a webhook, a mailbox (STARTTLS and AUTH, a new connection each
// time) and a real Alertmanager when installed, all in process on
// loopback. ns/op is the whole post; the metrics are the dispatcher's
// latency of each receiver kind's delivery (the successful attempt).
func BenchmarkPost(b *testing.B) {
	srv, files := newServers(b)
	_, addr, pool := notifytest.SMTP(b, "starttls")
	files["smtp.pass"] = notifytest.SMTPPassword
	cfg := fmt.Sprintf("notify:\n  smtp: {address: %q, from: fleetcheck@example.org, username: %s, password_file: smtp.pass}\n", addr, notifytest.SMTPUser)
	if _, err := os.Stat("/usr/bin/prometheus-alertmanager"); err == nil {
		cfg += fmt.Sprintf("  alertmanager: {url: %q, resend_interval: 24h}\n", notifytest.Alertmanager(b, srv.oncall.URL))
	}
	owners := `fallback: ops
teams:
  ops:
    webhook: {url_file: ops.url}
    email: {to: [ops@example.org]}
  web:
    chat: {webhook_file: web.hook}
`
	f := newFixtureWith(b, owners, files, cfg, BuildOptions{SMTPTLS: &tls.Config{RootCAs: pool}})
	f.clock.t = time.Now().Add(-time.Hour)
	failing := map[string]health.Status{"db1": health.Critical, "web1": health.Warning}
	sum := map[string]time.Duration{}
	n := map[string]int{}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		f.sweep(failing)
		f.clock.t = time.Now() // the sweeps keep to real time for Alertmanager
		b.StartTimer()
		rep := f.post(f.store, 20*time.Second)
		for _, o := range rep.Result.Outcomes {
			if o.State != "delivered" {
				b.Fatalf("%s: %s %s", o.ID, o.State, o.Err)
			}
			sum[o.ID.Receiver] += o.Latency
			n[o.ID.Receiver]++
		}
	}
	for k, d := range sum {
		b.ReportMetric(float64(d.Microseconds())/float64(n[k]), "µs/"+k)
	}
}
