package fleetsim

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// testTimeout bounds every wait in the tests; generous for a noisy machine.
const testTimeout = 10 * time.Second

// startFleet starts a fleet closed at the end of the test.
func startFleet(t testing.TB, opts Options) *Fleet {
	t.Helper()
	f, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return f
}

// clientConfig verifies host keys against the fleet's KnownHosts written to
// a temporary file, as a real client would.
func clientConfig(t testing.TB, f *Fleet) *ssh.ClientConfig {
	t.Helper()
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, f.KnownHosts(), 0o600); err != nil {
		t.Fatal(err)
	}
	cb, err := knownhosts.New(path)
	if err != nil {
		t.Fatalf("knownhosts.New: %v", err)
	}
	return &ssh.ClientConfig{
		User:              f.User(),
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(f.ClientSigner())},
		HostKeyCallback:   cb,
		HostKeyAlgorithms: []string{ssh.KeyAlgoED25519},
		Timeout:           testTimeout,
	}
}

// endpoint returns the named host's endpoint or fails the test.
func endpoint(t testing.TB, f *Fleet, name string) Endpoint {
	t.Helper()
	ep, ok := f.Endpoint(name)
	if !ok {
		t.Fatalf("no endpoint for %s", name)
	}
	return ep
}

// dialHandshake connects to the named host and runs the SSH handshake with
// cfg, bounded by wait; the TCP connection is returned even on error.
func dialHandshake(t testing.TB, f *Fleet, name string, cfg *ssh.ClientConfig, wait time.Duration) (*ssh.Client, net.Conn, error) {
	t.Helper()
	ep := endpoint(t, f, name)
	c, err := net.DialTimeout("tcp", ep.HostPort(), testTimeout)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.SetDeadline(time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	sc, chans, reqs, err := ssh.NewClientConn(c, ep.HostPort(), cfg)
	if err != nil {
		return nil, c, err
	}
	if err := c.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	client := ssh.NewClient(sc, chans, reqs)
	t.Cleanup(func() { _ = client.Close() })
	return client, c, nil
}

// dial connects and authenticates to the named host or fails the test.
func dial(t testing.TB, f *Fleet, name string) *ssh.Client {
	t.Helper()
	client, _, err := dialHandshake(t, f, name, clientConfig(t, f), testTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", name, err)
	}
	return client
}

// result is what a client saw of one command.
type result struct {
	stdout, stderr string
	err            error
}

// run runs cmd in a new session of client.
func run(t testing.TB, client *ssh.Client, cmd string) result {
	t.Helper()
	s, err := client.NewSession()
	if err != nil {
		t.Fatalf("NewSession: %v", err)
	}
	defer s.Close()
	var out, errb bytes.Buffer
	s.Stdout, s.Stderr = &out, &errb
	err = s.Run(cmd)
	return result{stdout: out.String(), stderr: errb.String(), err: err}
}

// within runs fn and fails the test if it does not return within d.
func within(t testing.TB, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

// waitFor polls cond until it holds, failing the test after testTimeout.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: gave up after %v", what, testTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// echoResponder answers "echo X" with X and "fail N" with stderr and exit N.
func echoResponder(cmd string) Response {
	switch {
	case len(cmd) > 5 && cmd[:5] == "echo ":
		return Response{Stdout: cmd[5:] + "\n"}
	case cmd == "fail":
		return Response{Stdout: "partial\n", Stderr: "it broke\n", ExitCode: 3}
	}
	return Response{Stderr: "unknown\n", ExitCode: 127}
}
