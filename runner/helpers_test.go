package runner

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// testPublicKey returns a fresh ed25519 public key.
func testPublicKey(t testing.TB) ssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testKeyOfType returns a fresh public key of an OpenSSH key type.
func testKeyOfType(t testing.TB, typ string) ssh.PublicKey {
	t.Helper()
	var raw any
	switch typ {
	case ssh.KeyAlgoED25519:
		return testPublicKey(t)
	case ssh.KeyAlgoRSA:
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	case ssh.KeyAlgoECDSA256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw = &k.PublicKey
	default:
		t.Fatalf("no test key of type %s", typ)
	}
	k, err := ssh.NewPublicKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeFile writes content under dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// osMkdirSSH creates dir/.ssh.
func osMkdirSSH(dir string) error {
	return os.Mkdir(filepath.Join(dir, ".ssh"), 0o700)
}

// runTasks runs tasks and returns the outputs in task order, how long Run
// took and its error. It fails the test when Run does not return within
// limit or does not give every task exactly one output.
func runTasks(t testing.TB, ctx context.Context, r *Runner, tasks []Task, limit time.Duration) ([]HostOutput, time.Duration, error) {
	t.Helper()
	out := make(chan HostOutput)
	start := time.Now()
	errc := make(chan error, 1)
	go func() { errc <- r.Run(ctx, tasks, out) }()
	byName := map[string]HostOutput{}
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for done := false; !done; {
		select {
		case ho, ok := <-out:
			if !ok {
				done = true
				break
			}
			if _, dup := byName[ho.Host.Name]; dup {
				t.Errorf("host %s got two outputs", ho.Host.Name)
			}
			byName[ho.Host.Name] = ho
		case <-timer.C:
			t.Fatalf("Run still running after %s (%d of %d outputs)", limit, len(byName), len(tasks))
		}
	}
	var err error
	select {
	case err = <-errc:
	case <-timer.C:
		t.Fatalf("Run did not return after closing out")
	}
	took := time.Since(start)
	outs := make([]HostOutput, len(tasks))
	for i, task := range tasks {
		ho, ok := byName[task.Host.Name]
		if !ok {
			t.Fatalf("host %s got no output", task.Host.Name)
		}
		outs[i] = ho
	}
	return outs, took, err
}

// readFile returns the content of path.
func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
