// Package puppetdbtest starts a real PuppetDB for tests: Debian's puppetdb
// (a Java program) on a PostgreSQL that it starts itself, both on
// 127.0.0.1 and free ports, in a temporary directory, over plain HTTP.
// PuppetDB takes a minute or more to start, so a test binary starts one
// Server and shares it (see Start). It is filled without agents through
// PuppetDB's command API (ReplaceFacts, ReplaceCatalog, DeactivateNode),
// each call waiting until PuppetDB has processed the command.
//
// Both processes run in their own process group with SIGKILL as their
// parent-death signal, so that they end with the test binary even when it
// is killed; Stop ends them and removes the directory. As root, PostgreSQL
// runs as the postgres user (it refuses root) and PuppetDB as root.
package puppetdbtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/pgtest"
)

// JarPath is Debian's PuppetDB jar; its manifest names the Clojure
// libraries it needs in /usr/share/java.
const JarPath = "/usr/share/puppetdb/puppetdb.jar"

// ErrMissing is wrapped by Start's error when a program it needs is not
// installed; tests skip on it. It is pgtest's, so that either name works.
var ErrMissing = pgtest.ErrMissing

// errRefused is the status service refusing the request: the
// configuration is wrong, waiting longer will not help.
var errRefused = errors.New("request refused")

// Server is a running PuppetDB and its PostgreSQL.
type Server struct {
	URL     string        // "http://127.0.0.1:PORT", PuppetDB's HTTP API
	Port    int           // PuppetDB's port
	Dir     string        // the temporary directory holding both
	Started time.Duration // how long Start took

	client *http.Client
	pg     *pgtest.Proc // PostgreSQL's postgres
	pdb    *pgtest.Proc

	mu   sync.Mutex
	last time.Time // the last producer timestamp handed out
}

// findJava locates the PuppetDB jar and java.
func findJava() (string, error) {
	if _, err := os.Stat(JarPath); err != nil {
		return "", fmt.Errorf("puppetdb (%s): %w", JarPath, ErrMissing)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("java: %w", ErrMissing)
	}
	return java, nil
}

// Start initialises a PostgreSQL cluster, starts it and PuppetDB, and
// returns once PuppetDB's status service says it is running. ctx bounds
// the whole start (give it a few minutes: the JVM compiles PuppetDB's
// Clojure sources at every start). javaArgs replace the default JVM
// options ("-Xmx512m", serial GC) when given. The error wraps
// ErrMissing when a program is not installed, and holds the tail of the
// logs when a process failed.
func Start(ctx context.Context, javaArgs ...string) (*Server, error) {
	begin := time.Now()
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	if _, err := pgtest.Find(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "puppetdbtest-")
	if err != nil {
		return nil, fmt.Errorf("puppetdbtest: %w", err)
	}
	s := &Server{Dir: dir, client: &http.Client{Timeout: 60 * time.Second}}
	if err := s.start(ctx, java, javaArgs); err != nil {
		s.Stop()
		return nil, err
	}
	s.Started = time.Since(begin)
	return s, nil
}

// start runs PostgreSQL (pgtest's, in Dir/pg), then PuppetDB.
func (s *Server) start(ctx context.Context, java string, javaArgs []string) error {
	pg, err := pgtest.Start(ctx, s.Dir)
	if err != nil {
		return fmt.Errorf("puppetdbtest: %w", err)
	}
	s.pg = pg.Proc
	pgPort := pg.Port

	s.Port, err = pgtest.FreePort()
	if err != nil {
		return err
	}
	s.URL = "http://127.0.0.1:" + strconv.Itoa(s.Port)
	conf := filepath.Join(s.Dir, "conf.d")
	if err := s.writeConfig(conf, pgPort); err != nil {
		return err
	}
	if len(javaArgs) == 0 {
		// C1-only compilation (-XX:TieredStopAtLevel=1) was measured: it
		// does not shorten the start, which is Clojure compiling sources.
		javaArgs = []string{"-Xmx512m", "-XX:+UseSerialGC"}
	}
	args := append(javaArgs, "-Djava.security.egd=/dev/urandom",
		"-cp", JarPath, "clojure.main", "-m", "puppetlabs.puppetdb.core", "services",
		"--config", conf, "--bootstrap-config", filepath.Join(s.Dir, "bootstrap.cfg"))
	if s.pdb, err = s.run("puppetdb", nil, java, args...); err != nil {
		return err
	}
	return s.waitRunning(ctx)
}

// bootstrap lists the trapperkeeper services PuppetDB runs: Debian's
// /etc/puppetdb/bootstrap.cfg without the dashboard redirect.
const bootstrap = `puppetlabs.trapperkeeper.services.webserver.jetty9-service/jetty9-service
puppetlabs.trapperkeeper.services.webrouting.webrouting-service/webrouting-service
puppetlabs.trapperkeeper.services.authorization.authorization-service/authorization-service
puppetlabs.trapperkeeper.services.metrics.metrics-service/metrics-webservice
puppetlabs.trapperkeeper.services.status.status-service/status-service
puppetlabs.trapperkeeper.services.scheduler.scheduler-service/scheduler-service
puppetlabs.puppetdb.cli.services/puppetdb-service
puppetlabs.puppetdb.command/command-service
puppetlabs.puppetdb.pdb-routing/maint-mode-service
puppetlabs.puppetdb.pdb-routing/pdb-routing-service
puppetlabs.puppetdb.config/config-service
`

// authConf is Debian's authorization rules: the status service open
// without authentication (Start polls it), the rest denied.
const authConf = `authorization: {
    version: 1
    rules: [
        {match-request: {path: "/status/v1/services", type: path, method: get}, allow-unauthenticated: true, sort-order: 500, name: "status"},
        {match-request: {path: "/status/v1/simple", type: path, method: get}, allow-unauthenticated: true, sort-order: 500, name: "status simple"},
        {match-request: {path: "/", type: path}, deny: "*", sort-order: 999, name: "deny all"}
    ]
}
`

// writeConfig writes PuppetDB's configuration directory: plain HTTP on
// 127.0.0.1, the test's PostgreSQL (its default database, as the
// superuser), state and logs in the server's directory.
func (s *Server) writeConfig(conf string, pgPort int) error {
	files := map[string]string{
		filepath.Join(conf, "config.ini"): "[global]\nvardir = " + filepath.Join(s.Dir, "var") +
			"\nlogging-config = " + filepath.Join(s.Dir, "logback.xml") + "\n",
		filepath.Join(conf, "database.ini"): "[database]\nsubname = //127.0.0.1:" + strconv.Itoa(pgPort) +
			"/postgres\nusername = postgres\npassword =\n",
		filepath.Join(conf, "jetty.ini"):      "[jetty]\nhost = 127.0.0.1\nport = " + strconv.Itoa(s.Port) + "\n",
		filepath.Join(conf, "auth.conf"):      authConf,
		filepath.Join(s.Dir, "bootstrap.cfg"): bootstrap,
		filepath.Join(s.Dir, "logback.xml"): `<configuration>
  <appender name="F" class="ch.qos.logback.core.FileAppender">
    <file>` + filepath.Join(s.Dir, "puppetdb.log") + `</file>
    <encoder><pattern>%d %-5p [%c{2}] %m%n</pattern></encoder>
  </appender>
  <root level="info"><appender-ref ref="F"/></root>
</configuration>
`,
	}
	for _, d := range []string{conf, filepath.Join(s.Dir, "var")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("puppetdbtest: %w", err)
		}
	}
	for path, content := range files {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return fmt.Errorf("puppetdbtest: %w", err)
		}
	}
	return nil
}

// run starts a long-running child in its own process group, its output in
// Dir/name.out.
func (s *Server) run(name string, cred *syscall.Credential, bin string, args ...string) (*pgtest.Proc, error) {
	p, err := pgtest.StartProc(s.Dir, name, cred, bin, args...)
	if err != nil {
		return nil, fmt.Errorf("puppetdbtest: %w", err)
	}
	return p, nil
}

// waitRunning polls PuppetDB's status service until it says "running".
func (s *Server) waitRunning(ctx context.Context) error {
	for {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		state, err := s.status(rctx)
		cancel()
		if err == nil && state == "running" {
			return nil
		}
		if errors.Is(err, errRefused) {
			return fmt.Errorf("puppetdbtest: PuppetDB's status service: %w", err)
		}
		if err := s.pdb.Wait(ctx, time.Second); err != nil {
			log, _ := os.ReadFile(filepath.Join(s.Dir, "puppetdb.log"))
			return fmt.Errorf("puppetdbtest: %w\npuppetdb.log:\n%s", err, pgtest.Tail(log))
		}
	}
}

// status returns the state PuppetDB's status service reports.
func (s *Server) status(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/status/v1/services/puppetdb-status", nil)
	if err != nil {
		return "", err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized {
		return "", fmt.Errorf("%w: %s", errRefused, resp.Status)
	}
	var st struct {
		State string `json:"state"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&st); err != nil {
		return "", err
	}
	return st.State, nil
}

// Stop ends PuppetDB and PostgreSQL (their whole process groups) and
// removes the directory. Safe to call more than once.
func (s *Server) Stop() {
	s.pdb.Kill()
	s.pg.Kill()
	if s.Dir != "" {
		_ = os.RemoveAll(s.Dir)
	}
}

// Resource is one resource of a catalog.
type Resource struct {
	Type       string         `json:"type"`
	Title      string         `json:"title"`
	Exported   bool           `json:"exported"`
	File       string         `json:"file,omitempty"`
	Line       int            `json:"line,omitempty"`
	Tags       []string       `json:"tags"`
	Parameters map[string]any `json:"parameters"`
}

// ReplaceFacts stores the facts of certname (replace_facts, version 5).
func (s *Server) ReplaceFacts(ctx context.Context, certname string, facts map[string]any) error {
	return s.command(ctx, "replace_facts", 5, certname, map[string]any{
		"certname": certname, "environment": "production", "values": facts,
		"producer_timestamp": s.timestamp(), "producer": "puppetdbtest",
	})
}

// ReplaceCatalog stores the catalog of certname (replace_catalog, version
// 9). Resources without tags get their type and title, lower-cased, as
// Puppet tags them; without parameters, an empty set.
func (s *Server) ReplaceCatalog(ctx context.Context, certname string, resources []Resource) error {
	for i := range resources {
		r := &resources[i]
		if r.Tags == nil {
			r.Tags = []string{strings.ToLower(r.Type), strings.ToLower(r.Title)}
		}
		if r.Parameters == nil {
			r.Parameters = map[string]any{}
		}
	}
	return s.command(ctx, "replace_catalog", 9, certname, map[string]any{
		"certname": certname, "version": "1", "environment": "production",
		"transaction_uuid": "00000000-0000-4000-8000-000000000001", "catalog_uuid": "00000000-0000-4000-8000-000000000002",
		"producer_timestamp": s.timestamp(), "producer": "puppetdbtest", "code_id": nil, "job_id": nil,
		"edges": []any{}, "resources": resources,
	})
}

// DeactivateNode deactivates certname (deactivate_node, version 3), as
// "puppet node deactivate" does.
func (s *Server) DeactivateNode(ctx context.Context, certname string) error {
	return s.command(ctx, "deactivate_node", 3, certname, map[string]any{
		"certname": certname, "producer_timestamp": s.timestamp(),
	})
}

// timestamp returns a producer timestamp later than every one before, so
// that a deactivation follows the facts and catalog it deactivates.
func (s *Server) timestamp() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := time.Now().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t.Format("2006-01-02T15:04:05.000Z")
}

// command posts a command to /pdb/cmd/v1 and waits until PuppetDB has
// processed it.
func (s *Server) command(ctx context.Context, name string, version int, certname string, payload any) error {
	body, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("puppetdbtest: %s %s: %w", name, certname, err)
	}
	q := url.Values{"command": {name}, "version": {strconv.Itoa(version)}, "certname": {certname}, "secondsToWaitForCompletion": {"30"}}
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/pdb/cmd/v1?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("puppetdbtest: %s %s: %w", name, certname, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("puppetdbtest: %s %s: %w", name, certname, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var res struct {
		Processed bool `json:"processed"`
		TimedOut  bool `json:"timed_out"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(data, &res) != nil || !res.Processed {
		return fmt.Errorf("puppetdbtest: %s %s: %s: %s", name, certname, resp.Status, bytes.TrimSpace(data))
	}
	return nil
}
