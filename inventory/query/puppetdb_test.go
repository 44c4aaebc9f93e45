package query

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakePuppetDBServer answers like PuppetDB's /pdb/query/v4 and records the
// queries it receives.
type fakePuppetDBServer struct {
	mu      sync.Mutex
	queries []string
	answer  string
}

func (f *fakePuppetDBServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/pdb/query/v4" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		http.Error(w, "content type "+ct, http.StatusUnsupportedMediaType)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req map[string]any
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	q, _ := req["query"].(string)
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	if !strings.HasPrefix(q, "nodes[certname] {") && !strings.HasPrefix(q, "resources[certname] {") {
		http.Error(w, "PQL parse error: unknown entity", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, f.answer)
}

func TestPuppetDBClient(t *testing.T) {
	fake := &fakePuppetDBServer{answer: `[{"certname":"web01.dc1.example.org","deactivated":null},{"certname":"new.example.org"},{"certname":"web01.dc1.example.org"}]`}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL + "/", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := testEnv(t)
	env.PuppetDB = client
	got, err := select1(env, "P{R:Class = role::web and F:os.family = Debian} and not dc=dc2")
	if err != nil {
		t.Fatal(err)
	}
	if got != "web01.dc1 new" {
		t.Errorf("hosts = %q, want %q", got, "web01.dc1 new")
	}
	want := `resources[certname] { ((type = "Class" and title = "Role::Web") and certname in inventory[certname] { facts.os.family = "Debian" }) group by certname }`
	if len(fake.queries) != 1 || fake.queries[0] != want {
		t.Errorf("server received %q, want [%q]", fake.queries, want)
	}
}

func TestPuppetDBClientErrorStatus(t *testing.T) {
	fake := &fakePuppetDBServer{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.Query(context.Background(), "facts {}")
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "PQL parse error") {
		t.Fatalf("err = %v, want the 400 status and PuppetDB's message", err)
	}
}

func TestPuppetDBClientDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	client, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := client.Query(context.Background(), "nodes[certname] { }")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "deadline") && !strings.Contains(err.Error(), "Timeout") {
			t.Fatalf("err = %v, want a deadline error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request did not honour its deadline")
	}
}

func TestPuppetDBClientTLS(t *testing.T) {
	fake := &fakePuppetDBServer{answer: `[{"certname":"a.example.org"}]`}
	srv := httptest.NewUnstartedServer(fake)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshake below fails on purpose
	srv.StartTLS()
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	client, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL, CAFile: ca})
	if err != nil {
		t.Fatal(err)
	}
	names, err := client.Query(context.Background(), "nodes[certname] { }")
	if err != nil || len(names) != 1 || names[0] != "a.example.org" {
		t.Fatalf("with the CA: %v, %v", names, err)
	}
	untrusted, err := NewPuppetDBClient(PuppetDBOptions{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := untrusted.Query(context.Background(), "nodes[certname] { }"); err == nil {
		t.Fatal("a server outside the system roots was trusted")
	}
}

func TestNewPuppetDBClientErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(bad, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts PuppetDBOptions
		want string
	}{
		{PuppetDBOptions{URL: "puppetdb:8081"}, "expected http:// or https://"},
		{PuppetDBOptions{URL: "https://p", CAFile: filepath.Join(dir, "missing.pem")}, "CA file"},
		{PuppetDBOptions{URL: "https://p", CAFile: bad}, "no PEM certificate"},
		{PuppetDBOptions{URL: "https://p", CertFile: bad}, "both a cert file and a key file"},
		{PuppetDBOptions{URL: "https://p", CertFile: bad, KeyFile: bad}, "client certificate"},
	}
	for _, tt := range tests {
		_, err := NewPuppetDBClient(tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err = %v, want %q", tt.opts, err, tt.want)
		}
	}
}
