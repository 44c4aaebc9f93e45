package deliver

import (
	"crypto/tls"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// TestPostByEmail: through Post to an in-process SMTP server with
// STARTTLS and AUTH (the password from password_file): the team's digest
// with its delivery id as Message-ID, a 451 retried, and an SLA breach
// escalated once to a mail address.
func TestPostByEmail(t *testing.T) {
	box, addr, pool := notifytest.SMTP(t, "starttls", &smtp.SMTPError{Code: 451, Message: "try again"})
	owners := `fallback: ops
sla: {critical: 2h}
teams:
  ops:
    email: {to: [ops@example.org]}
    escalation: [lead@example.org]
`
	cfg := fmt.Sprintf("notify:\n  smtp: {address: %q, from: fleetcheck@example.org, username: %s, password_file: smtp.pass}\n", addr, notifytest.SMTPUser)
	f := newFixtureWith(t, owners, map[string]string{"smtp.pass": notifytest.SMTPPassword + "\n"}, cfg,
		BuildOptions{SMTPTLS: &tls.Config{RootCAs: pool}})
	f.sweep(map[string]health.Status{"db1": health.Critical})
	rep := f.post(f.store, 20*time.Second)
	o := rep.Result.Outcomes[0]
	if o.State != notify.Delivered || o.Attempts != 2 || rep.ExitCode() != 0 {
		t.Fatalf("%s after %d attempts (%s)", o.State, o.Attempts, o.Err)
	}
	t.Logf("email delivered after a 451 in %s (the successful attempt: new connection, STARTTLS, AUTH, DATA)", o.Latency)
	for range 3 { // 10:00, 11:00 (breached), 12:00
		f.sweep(map[string]health.Status{"db1": health.Critical})
		f.post(f.store, 20*time.Second)
	}
	var got []string
	for _, m := range box.Received() {
		if !m.TLS || m.User != notifytest.SMTPUser {
			t.Errorf("mail to %s: tls %v, user %q", m.To, m.TLS, m.User)
		}
		data := string(m.Data)
		id := data[strings.Index(data, "Message-ID: ")+len("Message-ID: "):]
		got = append(got, m.To+" "+id[:strings.IndexAny(id, "\r\n")])
		if strings.Contains(data, notifytest.SMTPPassword) {
			t.Error("the password shows in a mail")
		}
	}
	want := []string{"ops@example.org <fc-1.ops.email@fleetcheck>", "ops@example.org <fc-2.ops.email@fleetcheck>",
		"ops@example.org <fc-3.ops.email@fleetcheck>", "lead@example.org <fc-3.ops.escalation_3Alead_40example_2Eorg@fleetcheck>",
		"ops@example.org <fc-4.ops.email@fleetcheck>"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("mails:\n%q\nwant\n%q", got, want)
	}
}
