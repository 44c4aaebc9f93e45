package runner

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// knownLines returns the non-blank lines of a known_hosts file, failing
// the test when the file does not parse.
func knownLines(t *testing.T, path string) []string {
	t.Helper()
	if _, err := knownhosts.New(path); err != nil {
		t.Fatalf("known_hosts does not parse: %v\n%s", err, readFile(t, path))
	}
	var lines []string
	for _, l := range strings.Split(readFile(t, path), "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestRecordFile(t *testing.T) {
	dir := t.TempDir()
	existing := writeFile(t, dir, "existing", "")
	missing := filepath.Join(dir, "sub", "missing")
	notADir := filepath.Join(existing, "x") // a file's "child": cannot be opened nor created
	tests := []struct {
		files []string
		want  string
	}{
		{[]string{existing, missing}, existing},
		{[]string{missing, existing}, missing},
		{[]string{notADir, existing}, existing},
	}
	for _, tt := range tests {
		if got, err := recordFile(tt.files); err != nil || got != tt.want {
			t.Errorf("recordFile(%q) = %q, %v; want %q", tt.files, got, err, tt.want)
		}
	}
	if got, err := recordFile([]string{notADir}); err == nil {
		t.Errorf("recordFile with no writable file = %q, want an error", got)
	}
}

func TestKnownHostsWriterFormatAndMode(t *testing.T) {
	dir := t.TempDir()
	k1, k2 := testPublicKey(t), testPublicKey(t)
	kh := writeFile(t, dir, "known_hosts", "# kept\nold.example.org "+strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k1)))) // no final newline
	if err := os.Chmod(kh, 0o644); err != nil {
		t.Fatal(err)
	}
	w := newKnownHostsWriter()
	for _, rec := range []struct {
		host string
		key  ssh.PublicKey
	}{{"127.0.0.1:2222", k2}, {"web.example.org:22", k2}, {"[::1]:2200", k1}, {"127.0.0.1:2222", k2}} {
		if err := w.record(kh, rec.host, rec.key); err != nil {
			t.Fatalf("record %s: %v", rec.host, err)
		}
	}
	want := []string{
		"# kept",
		"old.example.org " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k1))),
		"[127.0.0.1]:2222 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k2))),
		"web.example.org " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k2))),
		"[::1]:2200 " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k1))),
	}
	if got := knownLines(t, kh); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("known_hosts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	st, err := os.Stat(kh)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v), want 0600", st.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".known_hosts.tmp-*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
	// Another key for a recorded host is a mismatch, and nothing is written.
	before := readFile(t, kh)
	err = w.record(kh, "127.0.0.1:2222", k1)
	if Classify(err) != KindHostKeyMismatch {
		t.Errorf("recording a second key: %v (%s), want a mismatch", err, Classify(err))
	}
	if readFile(t, kh) != before {
		t.Error("known_hosts changed by a refused record")
	}
	// The directory is created when missing.
	deep := filepath.Join(dir, "new", ".ssh", "known_hosts")
	if err := w.record(deep, "a.example.org:22", k1); err != nil {
		t.Fatal(err)
	}
	if got := knownLines(t, deep); len(got) != 1 || !strings.HasPrefix(got[0], "a.example.org ssh-ed25519 ") {
		t.Errorf("new file holds %q", got)
	}
	if st, err := os.Stat(filepath.Dir(deep)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("new directory mode %v (%v), want 0700", st.Mode(), err)
	}
}

// TestKnownHostsWriterConcurrent records the same hosts from many
// goroutines through several writers (as separate runners would): every
// host ends up recorded exactly once and the file parses.
func TestKnownHostsWriterConcurrent(t *testing.T) {
	kh := filepath.Join(t.TempDir(), "known_hosts")
	const hosts, writers, rounds = 40, 4, 3
	keys := make([]ssh.PublicKey, hosts)
	for i := range keys {
		keys[i] = testPublicKey(t)
	}
	ws := make([]*knownHostsWriter, writers)
	for i := range ws {
		ws[i] = newKnownHostsWriter()
	}
	var wg sync.WaitGroup
	errs := make(chan error, hosts*writers*rounds)
	for range rounds {
		for w := range writers {
			for h := range hosts {
				wg.Go(func() {
					host := fmt.Sprintf("10.0.0.%d:2222", h)
					if err := ws[w].record(kh, host, keys[h]); err != nil {
						errs <- err
					}
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	lines := knownLines(t, kh)
	if len(lines) != hosts {
		t.Errorf("%d lines, want %d", len(lines), hosts)
	}
	seen := map[string]int{}
	for _, l := range lines {
		seen[l]++
	}
	for h := range hosts {
		want := knownhosts.Line([]string{fmt.Sprintf("[10.0.0.%d]:2222", h)}, keys[h])
		if seen[want] != 1 {
			t.Errorf("line %q present %d times, want once", want, seen[want])
		}
	}
}

// TestFleetAcceptNew runs a fleet with accept-new: unknown hosts are
// recorded and reached, a changed key is refused and nothing is recorded
// for it, and a second, strict run trusts what was recorded.
func TestFleetAcceptNew(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{
		{Name: "known", Respond: answer},
		{Name: "new1", Respond: answer},
		{Name: "new2", Respond: answer},
		{Name: "changed", Respond: answer, Fault: fleetsim.FaultWrongHostKey},
	}})
	dir := t.TempDir()
	var knownLine, changedLine string
	for _, l := range strings.Split(string(f.KnownHosts()), "\n") {
		ep, _ := f.Endpoint("known")
		if strings.HasPrefix(l, knownhosts.Normalize(ep.HostPort())+" ") {
			knownLine = l
		}
		ep, _ = f.Endpoint("changed")
		if strings.HasPrefix(l, knownhosts.Normalize(ep.HostPort())+" ") {
			changedLine = l
		}
	}
	kh := writeFile(t, dir, "known_hosts", knownLine+"\n"+changedLine+"\n")
	second := writeFile(t, dir, "second", "")
	tasks := func() []Task {
		var ts []Task
		for _, n := range []string{"known", "new1", "new2", "changed"} {
			ts = append(ts, Task{Host: fleetHost(t, f, n), Commands: []Command{{ID: "a", Line: "echo hi"}}})
		}
		return ts
	}
	r := fleetRunner(t, f, Config{KnownHosts: []string{kh, second}, AcceptNew: true, ConnectTimeout: 5 * time.Second})
	outs, _, _ := runTasks(t, context.Background(), r, tasks(), 10*time.Second)
	want := map[string]ErrorKind{"known": KindNone, "new1": KindNone, "new2": KindNone, "changed": KindHostKeyMismatch}
	for _, ho := range outs {
		if ho.Kind != want[ho.Host.Name] {
			t.Errorf("%s: kind %q (%v), want %q", ho.Host.Name, ho.Kind, ho.Err, want[ho.Host.Name])
		}
	}
	if n := len(f.Execs("changed")); n != 0 {
		t.Errorf("the host with a changed key ran %d commands", n)
	}
	lines := knownLines(t, kh)
	if len(lines) != 4 {
		t.Errorf("known_hosts holds %d lines, want 4 (2 before, 2 recorded):\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if readFile(t, second) != "" {
		t.Error("accept-new wrote to a file after the first")
	}
	// The recorded keys are the hosts' true keys: a strict run trusts them.
	strict := fleetRunner(t, f, Config{KnownHosts: []string{kh}})
	outs, _, _ = runTasks(t, context.Background(), strict, tasks()[:3], 10*time.Second)
	for _, ho := range outs {
		if ho.Err != nil {
			t.Errorf("strict run after accept-new: %s: %v", ho.Host.Name, ho.Err)
		}
	}
	// A second accept-new run records nothing more.
	outs, _, _ = runTasks(t, context.Background(), r, tasks(), 10*time.Second)
	if got := knownLines(t, kh); len(got) != 4 {
		t.Errorf("second run: %d lines, want 4", len(got))
	}
	_ = outs
}

// TestStrictNoDoesNotRecord: StrictHostKeyChecking no accepts an unknown
// key without recording it; accept-new in ssh_config records it.
func TestStrictNoDoesNotRecord(t *testing.T) {
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer}}})
	for _, tc := range []struct {
		value  string
		record bool
	}{{"no", false}, {"accept-new", true}, {"yes", false}} {
		dir := t.TempDir()
		kh := writeFile(t, dir, "known_hosts", "")
		cfg := writeFile(t, dir, "config", "Host *\n  StrictHostKeyChecking "+tc.value+"\n")
		r := fleetRunner(t, f, Config{SSHConfigPath: cfg, KnownHosts: []string{kh}})
		outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "h"), Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 10*time.Second)
		wantKind := KindNone
		if tc.value == "yes" {
			wantKind = KindHostKeyUnknown
		}
		if outs[0].Kind != wantKind {
			t.Errorf("%s: kind %q (%v), want %q", tc.value, outs[0].Kind, outs[0].Err, wantKind)
		}
		if got := readFile(t, kh) != ""; got != tc.record {
			t.Errorf("%s: recorded = %v, want %v", tc.value, got, tc.record)
		}
	}
}

// TestAcceptNewUnwritableStillConnects: with no file to record in, the key is
// accepted with a warning, as OpenSSH does.
func TestAcceptNewUnwritableStillConnects(t *testing.T) {
	hk, err := newHostKeys()
	if err != nil {
		t.Fatal(err)
	}
	hk.acceptNew = true
	ep := endpoint{host: "127.0.0.1", port: 2222, strict: true} // no known_hosts file at all
	p, err := hk.policy(&ep)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.callback(ep.addr(), &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2222}, testPublicKey(t)); err != nil {
		t.Errorf("unrecordable new key: %v, want accepted", err)
	}
}

// TestKnownHostsWriterWaitsForLock: a record waits while another process
// holds the lock, then re-reads the file: the key that process recorded
// meanwhile is not written twice.
func TestKnownHostsWriterWaitsForLock(t *testing.T) {
	kh := filepath.Join(t.TempDir(), "known_hosts")
	key := testPublicKey(t)
	line := knownhosts.Line([]string{"[10.0.0.1]:2222"}, key) + "\n"
	unlock, err := lockFile(kh + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- newKnownHostsWriter().record(kh, "10.0.0.1:2222", key) }()
	select {
	case err := <-done:
		unlock()
		t.Fatalf("recorded (%v) while the lock was held", err)
	case <-time.After(300 * time.Millisecond): // still waiting, as it must
	}
	if err := os.WriteFile(kh, []byte(line), 0o600); err != nil { // the lock holder records the same key
		t.Fatal(err)
	}
	unlock()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, kh); got != line {
		t.Errorf("known_hosts = %q, want the line once: %q", got, line)
	}
}

// TestScanRecorded checks the writer's quick scan against knownhosts on
// plain files, and that it gives way to knownhosts on the others.
func TestScanRecorded(t *testing.T) {
	k1, k2 := testPublicKey(t), testPublicKey(t)
	a1 := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k1)))
	plain := strings.Join([]string{
		"# comment", "",
		"a.example.org,10.0.0.1 " + a1,
		"[b.example.org]:22 " + a1, // written with the default port: matches b.example.org
		"[c.example.org]:2222 " + a1,
		"other.example.org not-parsed-since-not-asked",
	}, "\n")
	names := map[string]bool{"a.example.org": true, "10.0.0.1": true, "b.example.org": true, "[c.example.org]:2222": true, "d.example.org": true}
	idx, ok := scanRecorded("kh", []byte(plain), names)
	if !ok {
		t.Fatal("plain file: want a scan")
	}
	for _, tc := range []struct {
		host string
		key  ssh.PublicKey
		want ErrorKind
	}{
		{"a.example.org:22", k1, KindNone}, {"10.0.0.1:22", k1, KindNone}, {"b.example.org:22", k1, KindNone},
		{"c.example.org:2222", k1, KindNone}, {"c.example.org:2222", k2, KindHostKeyMismatch},
		{"c.example.org:22", k1, KindHostKeyUnknown}, {"d.example.org:22", k1, KindHostKeyUnknown},
	} {
		if got := Classify(idx.check(tc.host, tc.key)); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.host, ssh.FingerprintSHA256(tc.key), got, tc.want)
		}
	}
	for _, line := range []string{"*.example.org " + a1, "@revoked * " + a1, knownhosts.HashHostname("a.example.org") + " " + a1, "!x,a.example.org " + a1, "a.example.org garbage"} {
		if _, ok := scanRecorded("kh", []byte(line+"\n"), names); ok {
			t.Errorf("%q: scanned, want knownhosts' matcher", line)
		}
	}
	// Through the writer: a hashed entry for the host counts as recorded.
	kh := writeFile(t, t.TempDir(), "known_hosts", knownhosts.HashHostname(knownhosts.Normalize("10.0.0.9:2222"))+" "+a1+"\n")
	if err := newKnownHostsWriter().record(kh, "10.0.0.9:2222", k1); err != nil {
		t.Fatal(err)
	}
	if n := len(knownLines(t, kh)); n != 1 {
		t.Errorf("%d lines after recording a host already hashed in the file, want 1", n)
	}
}
