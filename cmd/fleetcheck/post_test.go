package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// TestDigestPost: through the binary, sweep --state then digest --post:
// the team's webhook gets the digest once per sweep, the summary says so
// on stdout, --dry-run records nothing, a refusal exits 76, a receiver
// down exits 75, and a receiver that cannot be used is a configuration
// error (78) at its file:line:col with nothing queued. The hook's secret
// path shows nowhere, --debug included.
func TestDigestPost(t *testing.T) {
	_, args := simFiles(t, 4, fleetsim.FaultRefuse)
	dir := t.TempDir()
	db := filepath.Join(dir, "fleet.db")
	hook := notifytest.New(t)
	writeFile(t, dir, "triage.url", hook.URL+"/hook/SECRET-path")
	owners := writeFile(t, dir, "owners.yaml", "fallback: triage\nteams:\n  triage:\n    webhook: {url_file: triage.url}\nrules:\n  - {id: all, hosts: all, owner: triage}\n")
	sweep := func() {
		t.Helper()
		if _, stderr, code := runBinary(t, append([]string{"sweep", "--no-progress", "--timeout", "5s", "--state", db, "--owners", owners}, args...)...); code == 64 || code == 78 {
			t.Fatalf("sweep: exit %d: %s", code, stderr)
		}
	}
	post := func(extra ...string) (string, int) {
		t.Helper()
		stdout, stderr, code := runBinary(t, append([]string{"--debug", "digest", "--post", "--state", db, "--owners", owners}, extra...)...)
		if strings.Contains(stdout+stderr, "SECRET") {
			t.Errorf("the secret shows:\n%s%s", stdout, stderr)
		}
		return stdout + stderr, code
	}

	sweep()
	out, code := post()
	t.Logf("digest --post --debug:\n%s", out)
	if code != 0 || !strings.Contains(out, "delivered fc-1.triage.webhook attempts=1 latency=") || !strings.Contains(out, "1 delivered, 0 queued for the next run, 0 refused") {
		t.Fatalf("post: exit %d\n%s", code, out)
	}
	if got := hook.Delivered(); len(got) != 1 || got[0].Header.Get("webhook-id") != "fc-1.triage.webhook" || !strings.Contains(string(got[0].Body), `"schema": "fleetcheck.digest/v1"`) {
		t.Fatalf("the webhook got %v", got)
	}
	if out, code := post(); code != 0 || !strings.Contains(out, "0 delivered") || len(hook.Requests()) != 1 {
		t.Errorf("a second post of the same sweep: exit %d, %d requests\n%s", code, len(hook.Requests()), out)
	}

	sweep()
	if out, code := post("--dry-run"); code != 0 || !strings.Contains(out, "fc-2.triage.webhook") || len(hook.Requests()) != 1 {
		t.Errorf("dry run: exit %d, %d requests\n%s", code, len(hook.Requests()), out)
	}
	hook.Script(notifytest.Answer{Status: 400})
	if out, code := post(); code != 76 || !strings.Contains(out, "refused   fc-2.triage.webhook") {
		t.Errorf("a 400: exit %d, want 76\n%s", code, out)
	}
	sweep()
	hook.Script(notifytest.Answer{Status: 503}, notifytest.Answer{Status: 503}, notifytest.Answer{Status: 503}, notifytest.Answer{Status: 503}, notifytest.Answer{Status: 503})
	if out, code := post("--post-timeout", "2s"); code != 75 || !strings.Contains(out, "queued    fc-3.triage.webhook") {
		t.Errorf("a receiver down: exit %d, want 75\n%s", code, out)
	}

	writeFile(t, dir, "broken.yaml", "fallback: triage\nteams:\n  triage:\n    chat: {webhook_file: missing.hook}\nrules:\n  - {id: all, hosts: all, owner: triage}\n")
	sweep()
	before := len(hook.Requests())
	stdout, stderr, code := runBinary(t, "digest", "--post", "--state", db, "--owners", filepath.Join(dir, "broken.yaml"))
	if code != 78 || !strings.Contains(stderr, filepath.Join(dir, "broken.yaml")+":4:5: team triage: chat: reading chat webhook") || len(hook.Requests()) != before {
		t.Errorf("an unusable receiver: exit %d\n%s%s", code, stdout, stderr)
	}
	if out, code := post(); code != 0 || !strings.Contains(out, "delivered fc-3.triage.webhook") || !strings.Contains(out, "delivered fc-4.triage.webhook") {
		t.Errorf("after the broken config, the next post delivers fc-3 then fc-4: exit %d\n%s", code, out)
	}
	for _, f := range []string{db, db + "-wal"} {
		if b, err := os.ReadFile(f); err == nil && strings.Contains(string(b), "SECRET") {
			t.Errorf("the secret is in the store (%s)", f)
		}
	}
	for _, tc := range []struct{ flag, want string }{{"--team=triage", "drop --team"}, {"--since=1h", "drop --since"}, {"--post-timeout=soon", "--post-timeout"}, {"-o=json", "drop -o json"}} {
		if _, stderr, code := runInProcess(t, "digest", "--post", "--state", db, tc.flag); code != 64 || !strings.Contains(stderr, tc.want) {
			t.Errorf("digest --post %s: exit %d %s", tc.flag, code, stderr)
		}
	}
}
