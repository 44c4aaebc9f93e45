// Package notifytest is an in-process HTTP receiver for the receivers'
// tests: it answers from a script and records what it was sent.
package notifytest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
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
