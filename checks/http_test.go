package checks

import (
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
)

func TestHTTPGolden(t *testing.T) {
	chk := mustNew(t, "http", "health", Params{"url": "https://example.org/health", "warn": "1s", "crit": "3s"})
	runGolden(t, chk, "testdata/http")
}

func TestHTTPExpect(t *testing.T) {
	chk := mustNew(t, "http", "h", Params{"url": "http://example.org/", "expect": 204})
	tests := []struct {
		line    string
		status  Status
		summary string
	}{
		{"204 0.010 0", OK, "HTTP 204 in 0.010s"},
		{"200 0.010 0", Critical, "HTTP 200 in 0.010s: want status 204"},
		{"404 2.5 0", Critical, "HTTP 404 in 2.500s: want status 204; slow: 2.500s ≥ 1s"},
	}
	for _, tt := range tests {
		res := chk.Evaluate(Output{Stdout: []byte("--- fleetcheck:curl ---\n" + tt.line + "\n--- fleetcheck:end ---\n")})
		if res.Status != tt.status || res.Summary != tt.summary {
			t.Errorf("%q: got %s %q, want %s %q", tt.line, res.Status, res.Summary, tt.status, tt.summary)
		}
	}
}

func TestHTTPNew(t *testing.T) {
	tests := []paramCase{
		{Params{"url": "http://127.0.0.1:8080/x"}, ""},
		{Params{"url": "https://example.org", "warn": "500ms", "crit": "2s", "expect": 301, "timeout": "5s"}, ""},
		{Params{}, `parameter "url": required: the URL to fetch`},
		{Params{"url": "ftp://example.org/"}, `parameter "url": expected an http:// or https:// URL, found "ftp://example.org/"`},
		{Params{"url": "example.org/health"}, `parameter "url": expected an http:// or https:// URL, found "example.org/health"`},
		{Params{"url": "http:///path"}, `parameter "url": URL "http:///path" has no host`},
		{Params{"url": "http://a b/"}, `parameter "url": URL "http://a b/" contains white space`},
		{Params{"url": "http://a/", "warn": "2s", "crit": "1s"}, `parameter "crit": 1s is shorter than warn (2s)`},
		{Params{"url": "http://a/", "expect": 700}, `parameter "expect": expected an HTTP status code 100..599, found the integer 700`},
		{Params{"url": "http://a/", "expect": 200.5}, `parameter "expect": expected an HTTP status code 100..599, found the number 200.5`},
		{Params{"url": "http://a/", "expect": "ok"}, `parameter "expect": expected a number, found "ok"`},
		{Params{"url": "http://a/", "timeout": "0s"}, `parameter "timeout": expected a positive duration such as 10s, found 0s`},
		{Params{"url": "http://a/", "method": "POST"}, `parameter "method": unknown parameter (known: url, warn, crit, expect, timeout)`},
	}
	checkNewErrors(t, "http", "h", tests)
}

func TestHTTPCommand(t *testing.T) {
	chk := mustNew(t, "http", "h", Params{"url": "http://example.org/a?b=1&c='x'", "timeout": "2.5s"})
	cmd := chk.Command()
	for _, want := range []string{
		`curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time 2.5 'http://example.org/a?b=1&c='\''x'\'''`,
		`wget -S -O /dev/null -T 2.5 -t 1 'http://example.org/a?b=1&c='\''x'\'''`,
	} {
		if !strings.Contains(cmd, want) {
			t.Errorf("command lacks %q:\n%s", want, cmd)
		}
	}
	if out, err := exec.Command("sh", "-n", "-c", cmd).CombinedOutput(); err != nil {
		t.Errorf("sh -n: %v: %s", err, out)
	}
}

func TestRedactURL(t *testing.T) {
	if got := redactURL("https://bob:secret@example.org/x"); got != "https://bob:xxxxx@example.org/x" {
		t.Errorf("redactURL = %q", got)
	}
}

func TestHTTPRunsCurlHere(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("no curl on this machine")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	tests := []struct {
		path    string
		status  Status
		summary string
	}{
		{"/", OK, "HTTP 200 in "},
		{"/broken", Critical, "HTTP 503 in "},
	}
	for _, tt := range tests {
		chk := mustNew(t, "http", "h", Params{"url": srv.URL + tt.path, "warn": "30s"})
		res := chk.Evaluate(runCommandHere(t, chk.Command()))
		if res.Status != tt.status || !strings.HasPrefix(res.Summary, tt.summary) {
			t.Errorf("%s: got %s %q, want %s %q...", tt.path, res.Status, res.Summary, tt.status, tt.summary)
		}
	}
	// A closed port on loopback: connection refused, CRITICAL.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	chk := mustNew(t, "http", "h", Params{"url": "http://" + addr + "/"})
	res := chk.Evaluate(runCommandHere(t, chk.Command()))
	if res.Status != Critical || !strings.HasPrefix(res.Summary, "connection failed: curl: (7)") {
		t.Errorf("closed port: got %s %q", res.Status, res.Summary)
	}
}

func TestHTTPContract(t *testing.T) {
	checkBuiltinContract(t, "http", Params{"url": "https://example.org/health"})
}
