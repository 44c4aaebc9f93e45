// Package notifytest is an in-process HTTP receiver for the receivers'
// tests: it answers from a script and records what it was sent.
package notifytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
)

// Answer is one scripted reply.
type Answer struct {
	Status     int           // 0 means 200
	RetryAfter time.Duration // sets Retry-After (whole seconds) when > 0
	Hang       bool          // hold the request until the client gives up
	Down       bool          // close the connection without an answer
}

// Request is one request the server was sent.
type Request struct {
	Header http.Header
	Body   []byte
	At     time.Time
	Status int // what it was answered
}

// Server is a scripted receiver on loopback.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	script   []Answer
	requests []Request
	done     chan struct{}
}

// New starts a server that answers script in order, then 200; it stops
// when the test ends.
func New(t testing.TB, script ...Answer) *Server {
	s := &Server{script: script, done: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		close(s.done)
		s.Close()
	})
	return s
}

// Script replaces what the next requests are answered.
func (s *Server) Script(a ...Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = a
}

// Requests returns what the server was sent so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Delivered returns the requests answered 2xx.
func (s *Server) Delivered() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Status/100 == 2 {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	a := Answer{}
	if len(s.script) > 0 {
		a, s.script = s.script[0], s.script[1:]
	}
	code := a.Status
	if code == 0 {
		code = http.StatusOK
	}
	if a.Hang || a.Down {
		code = 0
	}
	s.requests = append(s.requests, Request{Header: r.Header.Clone(), Body: body, At: time.Now(), Status: code})
	s.mu.Unlock()
	switch {
	case a.Hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	case a.Down:
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				_ = c.Close()
			}
		}
		return
	}
	if a.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(a.RetryAfter/time.Second)))
	}
	w.WriteHeader(code)
	_, _ = io.WriteString(w, http.StatusText(code))
}

// Run drains ob once through d (its backoff made fast: 10ms doubling
// to 40ms, 3 attempts, unless set) within 20s, failing the test when the
// outbox itself fails.
func Run(t testing.TB, d *notify.Dispatcher) notify.Result {
	t.Helper()
	if d.Backoff == (notify.Backoff{}) {
		d.Backoff = notify.Backoff{Initial: 10 * time.Millisecond, Max: 40 * time.Millisecond, Attempts: 3}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := d.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// Hidden fails the test when secret shows in any way fmt prints vals.
func Hidden(t testing.TB, secret string, vals ...any) {
	t.Helper()
	for _, v := range vals {
		if s := fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v); strings.Contains(s, secret) {
			t.Errorf("the secret %q shows: %s", secret, s)
		}
	}
}

// Alertmanager starts Debian's prometheus-alertmanager on a free
// loopback port with its own storage and a null receiver, and stops it
// when the test ends.
// Its one route sends every group (by host and check) to hook, resolved
// ones included, within about a second.
func Alertmanager(t testing.TB, hook string) string {
	t.Helper()
	bin := "/usr/bin/prometheus-alertmanager"
	if _, err := os.Stat(bin); err != nil {
		if p, err := exec.LookPath("alertmanager"); err == nil {
			bin = p
		} else {
			t.Skip("no Alertmanager here (/usr/bin/prometheus-alertmanager, Debian's prometheus-alertmanager): the real-Alertmanager test is skipped")
		}
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`route:
  receiver: hook
  group_by: [host, check]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{url: %q, send_resolved: true}]
`, hook)), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--web.listen-address="+addr, "--cluster.listen-address=", "--storage.path="+filepath.Join(dir, "data"), "--config.file="+cfg, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("alertmanager's output:\n%s", logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("alertmanager exited: %v\n%s", err, logs.String())
		default:
		}
		if resp, err := (&http.Client{Timeout: time.Second}).Get(base + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready after 20s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// AMAlert is what GET /api/v2/alerts returns of an alert.
type AMAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	StartsAt    time.Time         `json:"startsAt"`
	EndsAt      time.Time         `json:"endsAt"`
	Status      struct {
		State      string   `json:"state"`
		SilencedBy []string `json:"silencedBy"`
	} `json:"status"`
}

// AlertmanagerAlerts returns what GET /api/v2/alerts holds, by
// "host/check", and the body as it came.
func AlertmanagerAlerts(t testing.TB, base string) (map[string]AMAlert, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(base + "/api/v2/alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var alerts []AMAlert
	if err := json.Unmarshal(body, &alerts); err != nil {
		t.Fatalf("GET /api/v2/alerts: %v: %s", err, body)
	}
	out := map[string]AMAlert{}
	for _, a := range alerts {
		out[a.Labels["host"]+"/"+a.Labels["check"]] = a
	}
	return out, string(body)
}

// Eventually fails the test when cond does not hold within 10s.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 10s: %s", what)
		}
	}
}

// Silence creates a silence of fleetcheck's alerts whose label equals
// value in the Alertmanager at base, from start to end; it returns its id.
func Silence(t testing.TB, base, label, value string, start, end time.Time) string {
	t.Helper()
	sil := fmt.Sprintf(`{"matchers":[{"name":%q,"value":%q,"isRegex":false,"isEqual":true},{"name":"alertname","value":"FleetcheckFailure","isRegex":false}],"startsAt":%q,"endsAt":%q,"createdBy":"test","comment":"maintenance"}`,
		label, value, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Post(base+"/api/v2/silences", "application/json", strings.NewReader(sil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var created struct {
		SilenceID string `json:"silenceID"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&created)
	if resp.StatusCode != http.StatusOK || created.SilenceID == "" {
		t.Fatalf("creating the silence: %s", resp.Status)
	}
	return created.SilenceID
}
