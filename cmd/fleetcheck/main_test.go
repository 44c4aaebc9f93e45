package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/cliutil"
)

// The exit codes the tests expect besides exitConfig and exitInterrupted.
const (
	exitUsage     = cliutil.ExitUsage
	exitNoVerdict = cliutil.ExitNoVerdict
)

// binary is the fleetcheck binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fleetcheck-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "fleetcheck")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building fleetcheck: " + err.Error())
	}
	code := m.Run()
	sharedPG.Stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBinary runs the built binary and returns stdout, stderr and the exit code.
func runBinary(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return runBinaryEnv(t, nil, args...)
}

// runBinaryEnv is runBinary with env added to the environment.
func runBinaryEnv(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG="), env...)
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running fleetcheck %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// runInProcess runs the CLI in this process.
func runInProcess(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("FLEETCHECK_CONFIG", "")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), append([]string{"fleetcheck"}, args...), &terminal{In: strings.NewReader(""), Out: &stdout, Err: &stderr})
	return stdout.String(), stderr.String(), code
}

// writeFile writes content to name in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExitCodesForBadInput(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	inv := writeFile(t, dir, "hosts.yaml", "hosts:\n  - name: web[01-03].example.org\n    labels: {role: web}\n")
	badInv := writeFile(t, dir, "bad.yaml", "hosts:\n  - name: web01\n    prot: 22\n")
	badOwners := writeFile(t, dir, "owners.yaml", "fallback: triage\nteams: {triage: {}}\nrules:\n  - {id: a, hosts: 'role=web', owner: nobody}\n")
	badCfg := writeFile(t, dir, "fc.yaml", "inventory: hosts.yaml\ndefaults: {timeout: soon}\n")
	for _, tc := range []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"unknown flag", []string{"sweep", "--bogus"}, exitUsage, "bogus"},
		{"query syntax", []string{"hosts", "-i", inv, "role=web and ("}, exitUsage, "query:1:"},
		{"bad output", []string{"sweep", "-i", inv, "-o", "xml", "all"}, exitUsage, `unknown output format "xml"`},
		{"unknown check", []string{"sweep", "-i", inv, "-c", "nope", "all"}, exitUsage, `unknown check "nope"`},
		{"bad shard", []string{"sweep", "-i", inv, "--shard", "4/4", "all"}, exitUsage, "bad shard"},
		{"malformed inventory", []string{"hosts", "-i", badInv, "all"}, exitConfig, "bad.yaml:3:5"},
		{"missing inventory", []string{"hosts", "-i", filepath.Join(dir, "nope.yaml"), "all"}, exitConfig, "nope.yaml"},
		{"unknown alias", []string{"hosts", "-i", inv, "A:nope"}, exitConfig, "nope"},
		{"bad owners", []string{"sweep", "-i", inv, "--owners", badOwners, "all"}, exitConfig, "owners.yaml:4:"},
		{"bad config", []string{"sweep", "--config", badCfg}, exitConfig, "fc.yaml:2:21"},
		{"unknown checks command arg", []string{"checks", "nope"}, exitUsage, "unknown check"},
		{"query selects nothing", []string{"sweep", "-i", inv, "role=nothing"}, exitNoVerdict, "selects no hosts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runInProcess(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit code = %d, want %d (stderr: %s)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.inStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tc.inStderr)
			}
		})
	}
}

func TestHostsCommand(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "hosts.yaml", `
hosts:
  - name: web[0001-0003,0007].dc1.example.org
    labels: {role: web, dc: dc1}
  - name: cache[01-02].dc1.example.org
    labels: {role: cache, dc: dc1}
aliases:
  canaries: 'web[0001-0002].dc1.example.org'
`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"hosts", "-i", inv, "role=web"}, "web[0001-0003,0007].dc1.example.org\n"},
		{[]string{"hosts", "-i", inv, "all"}, "cache[01-02].dc1.example.org,web[0001-0003,0007].dc1.example.org\n"},
		{[]string{"hosts", "-i", inv, "--list", "A:canaries or cache02*"}, "web0001.dc1.example.org\nweb0002.dc1.example.org\ncache02.dc1.example.org\n"},
		{[]string{"hosts", "-i", inv, "dc=dc1 and not role=web"}, "cache[01-02].dc1.example.org\n"},
	} {
		stdout, stderr, code := runInProcess(t, tc.args...)
		if code != 0 || stdout != tc.want {
			t.Errorf("%v: got %q (exit %d, stderr %q), want %q", tc.args, stdout, code, stderr, tc.want)
		}
	}
}

// The config may hold the inventory and the owners inline; errors inside
// them point at the config file's lines.
func TestInlineInventoryAndOwners(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "fleetcheck.yaml", `# inline everything
inventory:
  hosts:
    - name: cache[01-03].dc1.example.org
      labels: {role: cache}
owners:
  fallback: triage
  teams: {traffic: {contact: t@example.org}, triage: {contact: x@example.org}}
  rules:
    - {id: edge, hosts: 'role=cache', owner: traffic}
`)
	stdout, stderr, code := runInProcess(t, "hosts", "--config", cfg, "role=cache")
	if code != 0 || stdout != "cache[01-03].dc1.example.org\n" {
		t.Errorf("hosts: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	stdout, stderr, code = runInProcess(t, "owners", "test", "--config", cfg, "--expect", "traffic", "cache02.dc1.example.org", "disk")
	if code != 0 {
		t.Errorf("owners test: exit %d\n%s%s", code, stdout, stderr)
	}
	bad := writeFile(t, dir, "bad.yaml", "inventory:\n  hosts:\n    - name: web01\n      prot: 22\n")
	if _, stderr, code := runInProcess(t, "hosts", "--config", bad, "all"); code != exitConfig || !strings.Contains(stderr, "bad.yaml:4:7") {
		t.Errorf("inline inventory error: exit %d, stderr %q, want 78 and bad.yaml:4:7", code, stderr)
	}
	badOwners := writeFile(t, dir, "bad2.yaml", "inventory: {hosts: [{name: a}]}\nowners:\n  fallback: nobody\n  teams: {x: {}}\n")
	if _, stderr, code := runInProcess(t, "owners", "lint", "--config", badOwners); code != exitConfig || !strings.Contains(stderr, "bad2.yaml:3:") {
		t.Errorf("inline owners error: exit %d, stderr %q, want 78 and bad2.yaml:3:", code, stderr)
	}
}

// The terminal is what a command knows of stdin and stdout: a test sets it
// instead of needing a pseudo-terminal.
func TestTerminalIsSetByTests(t *testing.T) {
	dir := t.TempDir()
	inv := writeFile(t, dir, "hosts.yaml", "hosts:\n  - name: web[01-03].example.invalid\n")
	t.Setenv("FLEETCHECK_CONFIG", "")
	for _, tc := range []struct {
		name  string
		term  terminal
		code  int
		inErr string
	}{
		{"no terminal on stdin", terminal{In: strings.NewReader("3\n")}, exitUsage, "stdin is not a terminal"},
		{"q at the prompt", terminal{In: strings.NewReader("q\n"), InTTY: true}, exitUsage, "aborted: nothing was run"},
		{"wrong count", terminal{In: strings.NewReader("2\n"), InTTY: true}, exitUsage, `not confirmed (expected 3, found "2")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			tc.term.Out, tc.term.Err = &stdout, &stderr
			code := run(context.Background(), []string{"fleetcheck", "exec", "-i", inv, "all", "--", "uptime"}, &tc.term)
			if code != tc.code || !strings.Contains(stderr.String(), tc.inErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tc.code, tc.inErr)
			}
		})
	}
}
