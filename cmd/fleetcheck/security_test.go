package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/sshdtest"
)

// Parameters and labels are data, never shell: every place a parameter
// reaches a remote command line carries an injection attempt, and the real
// host must not run it.
func TestParametersAreShellQuoted(t *testing.T) {
	srv := sshdtest.Start(t)
	pwned := filepath.Join(t.TempDir(), "pwned")
	// ${IFS} instead of spaces, so that only quoting (not a check's own
	// validation of names) stands between the payload and the shell.
	inject := fmt.Sprintf("$(touch${IFS}%s)", pwned)
	backtick := fmt.Sprintf("`touch${IFS}%s`", pwned)
	flags := realHost(t, srv, srv.HostKeyLine(), fmt.Sprintf(`checks:
  service: {units: ["nginx%[1]s", "ssh;touch${IFS}%[3]s", "%[2]s"]}
  certs: {files: ["/etc/ssl/x%[1]s.pem", "/tmp/%[2]s"]}
  http: {url: "http://127.0.0.1:1/%[1]s"}
  disk: {exclude: ["/boot%[1]s"]}
  systemd: {ignore: ["x%[1]s"]}
`, inject, backtick, pwned))
	stdout, stderr, _ := runBinary(t, append(append([]string{"sweep"}, flags...), "-o", "json", "--no-progress", "all")...)
	if _, err := os.Stat(pwned); err == nil {
		t.Fatalf("a parameter was run as shell on the host (%s exists)\n%s\n%s", pwned, stdout, stderr)
	}
	var doc jsonSweep
	if err := jsonUnmarshal(stdout, &doc); err != nil || len(doc.Results) != 5 {
		t.Fatalf("want 5 results: %v\n%s\n%s", err, stdout, stderr)
	}
	for _, r := range doc.Results {
		if r.ErrorKind != "" {
			t.Errorf("%s: transport error %s: %s", r.Check, r.ErrorKind, r.Summary)
		}
	}
}

// Webhook secrets live in files or the environment and must never appear
// in any output, error or log line.
func TestWebhookSecretsNeverPrinted(t *testing.T) {
	const secretFile = "https://hooks.example.org/services/T000/B000/SECRET-TOKEN-FILE"
	const secretEnv = "https://hooks.example.org/services/T000/B000/SECRET-TOKEN-ENV"
	t.Setenv("FLEETCHECK_TEST_HOOK", secretEnv)
	_, flags := simFiles(t, 6, "refuse")
	dir := t.TempDir()
	hook := writeFile(t, dir, "traffic.hook", secretFile+"\n")
	owners := writeFile(t, dir, "owners.yaml", fmt.Sprintf(`fallback: triage
teams:
  traffic: {contact: t@example.org, chat: {webhook_file: %s}}
  triage: {chat: {webhook_env: FLEETCHECK_TEST_HOOK}}
rules:
  - {id: all, hosts: 'node0000[1-3]*', owner: traffic}
`, hook))
	var seen strings.Builder
	for _, args := range [][]string{
		{"sweep", "--debug", "-o", "table", "--owners", owners},
		{"sweep", "--debug", "-o", "json", "--owners", owners},
		{"sweep", "--debug", "-o", "ndjson", "--owners", owners},
		{"sweep", "--debug", "-o", "prometheus", "--owners", owners},
		{"owners", "explain", "--owners", owners, "node00001.sim.example.org", "disk"},
		{"owners", "lint", "--owners", owners},
	} {
		full := append(append(args[:1:1], args[1:]...), flags...)
		if args[0] == "owners" {
			full = append(append([]string{"owners", args[1]}, flags...), args[2:]...)
		}
		stdout, stderr, _ := runBinary(t, full...)
		seen.WriteString(stdout + stderr)
		if strings.Contains(stdout+stderr, "SECRET-TOKEN") {
			t.Errorf("%v printed a webhook secret:\n%s\n%s", args, stdout, stderr)
		}
	}
	if !strings.Contains(seen.String(), "traffic") || !strings.Contains(seen.String(), "node00001") {
		t.Errorf("the runs did not produce the output this test inspects:\n%s", seen.String())
	}
}
