package checks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fuzzChecks builds one instance of every built-in, with the least
// parameters each needs.
func fuzzChecks(t testing.TB) []Check {
	t.Helper()
	needs := map[string]Params{
		"certs":   {"files": []any{"/etc/ssl/a.pem", "/etc/ssl/b.pem"}},
		"service": {"units": []any{"nginx.service", "ssh"}},
		"http":    {"url": "http://127.0.0.1/health"},
		"nagios":  {"command": "/usr/lib/nagios/plugins/check_dummy 0"},
	}
	reg := Builtins()
	var out []Check
	for _, name := range reg.Names() {
		p := needs[name]
		if p == nil {
			p = Params{}
		}
		c, err := reg.New(name, name, p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, c)
	}
	return out
}

// FuzzEvaluate feeds arbitrary output to every built-in's evaluation: it
// must never panic, must be deterministic and must give a valid status and
// a one-line summary. Seeds are every golden case of every check.
func FuzzEvaluate(f *testing.F) {
	outs, _ := filepath.Glob(filepath.Join("testdata", "*", "*.out"))
	for _, p := range outs {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, []byte(""), 0)
	}
	f.Add([]byte("--- fleetcheck:end ---\n"), []byte("sh: 1: x: not found"), 127)
	chks := fuzzChecks(f)
	f.Fuzz(func(t *testing.T, stdout, stderr []byte, exit int) {
		out := Output{Stdout: stdout, Stderr: stderr, ExitCode: exit, Duration: time.Second, Now: time.Unix(1800000000, 0)}
		for _, c := range chks {
			a, b := c.Evaluate(out), c.Evaluate(out)
			if a.Status < OK || a.Status > Unreachable {
				t.Fatalf("%s: invalid status %d", c.Name(), a.Status)
			}
			if a.Summary == "" || strings.ContainsAny(a.Summary, "\n\r") {
				t.Fatalf("%s: summary %q is not one non-empty line", c.Name(), a.Summary)
			}
			if a.Status != b.Status || a.Summary != b.Summary || a.Details != b.Details {
				t.Fatalf("%s: two evaluations of the same output differ", c.Name())
			}
		}
	})
}
