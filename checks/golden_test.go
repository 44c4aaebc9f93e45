package checks

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// This file is the golden-file harness shared by every check's tests.
//
// A case is testdata/<check>/<case>.out: the command's stdout as a host
// prints it. Optional siblings: <case>.err (stderr), <case>.exit (exit
// status, a decimal number; default 0). The expected result is
// <case>.golden, written by formatResult and regenerated with
//
//	go test ./checks/ -run TestXxx -update

// updateGolden rewrites the .golden files instead of comparing them.
var updateGolden = flag.Bool("update", false, "rewrite checks/testdata/**/*.golden from the current results")

// goldenNow is Output.Now in every golden case: 2027-01-15T08:00:00Z,
// Unix 1800000000. Cases that print the host's own clock use that value
// too, unless they test a skew.
var goldenNow = time.Unix(1800000000, 0).UTC()

// goldenDuration is Output.Duration in every golden case.
const goldenDuration = 120 * time.Millisecond

// runGolden evaluates chk on every <case>.out in dir and compares the
// result with <case>.golden (or rewrites it with -update). For every case
// it also checks that evaluation is deterministic, that the summary is one
// non-empty line, that the status is one a check may return, and that
// truncating the output anywhere neither panics nor breaks those rules.
// It fails the test when dir holds no case.
func runGolden(t *testing.T, chk Check, dir string) {
	t.Helper()
	outs, err := filepath.Glob(filepath.Join(dir, "*.out"))
	if err != nil {
		t.Fatalf("glob %s: %v", dir, err)
	}
	if len(outs) == 0 {
		t.Fatalf("no *.out cases in %s", dir)
	}
	for _, path := range outs {
		name := strings.TrimSuffix(filepath.Base(path), ".out")
		t.Run(name, func(t *testing.T) {
			out := readGoldenOutput(t, strings.TrimSuffix(path, ".out"))
			res := chk.Evaluate(out)
			checkResultShape(t, res)
			got := formatResult(res)
			if again := formatResult(chk.Evaluate(out)); again != got {
				t.Errorf("Evaluate is not deterministic:\nfirst:\n%s\nsecond:\n%s", got, again)
			}
			if compareGolden(t, strings.TrimSuffix(path, ".out")+".golden", got) {
				return
			}
			checkTruncations(t, chk, out)
			checkMutations(t, chk, out, name)
		})
	}
}

// compareGolden compares got with the golden file, or rewrites it with
// -update and returns true.
func compareGolden(t *testing.T, goldenPath, got string) bool {
	t.Helper()
	if *updateGolden {
		if err := os.WriteFile(goldenPath, []byte(got), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
		return true
	}
	want, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("read golden (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s: result differs from golden\n--- got:\n%s--- want:\n%s", goldenPath, got, want)
	}
	return false
}

// readGoldenOutput loads <base>.out and its optional .err and .exit.
func readGoldenOutput(t *testing.T, base string) Output {
	t.Helper()
	stdout, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatalf("read case: %v", err)
	}
	out := Output{Stdout: stdout, Now: goldenNow, Duration: goldenDuration}
	if b, err := os.ReadFile(base + ".err"); err == nil {
		out.Stderr = b
	}
	if b, err := os.ReadFile(base + ".exit"); err == nil {
		code, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s.exit: want a number: %v", base, err)
		}
		out.ExitCode = code
	}
	return out
}

// checkResultShape asserts what holds for every result of Evaluate.
func checkResultShape(t *testing.T, res Result) {
	t.Helper()
	if res.Summary == "" {
		t.Errorf("empty summary (status %s)", res.Status)
	}
	if strings.ContainsAny(res.Summary, "\r\n") {
		t.Errorf("summary is not one line: %q", res.Summary)
	}
	if res.Status < OK || res.Status > Unknown {
		t.Errorf("Evaluate returned status %s; only OK..UNKNOWN are a check's to give", res.Status)
	}
	for _, m := range res.Metrics {
		if m.Name == "" {
			t.Errorf("metric with no name: %+v", m)
		}
		if m.Value != m.Value { // NaN
			t.Errorf("metric %s is NaN", m.Name)
		}
	}
}

// checkTruncations evaluates prefixes of out's stdout (cut at up to 64
// places, mid-line included) and asserts no panic and a well-formed result.
func checkTruncations(t *testing.T, chk Check, out Output) {
	t.Helper()
	n := len(out.Stdout)
	step := n/64 + 1
	for cut := 0; cut < n; cut += step {
		o := out
		o.Stdout = out.Stdout[:cut]
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Evaluate panicked on stdout cut at byte %d: %v", cut, r)
				}
			}()
			checkResultShape(t, chk.Evaluate(o))
		}()
	}
}

// checkMutations evaluates 100 damaged copies of out's stdout (bytes
// changed, lines dropped or repeated, digits turned to letters), seeded by
// the case name so failures reproduce, and asserts no panic and a
// well-formed result.
func checkMutations(t *testing.T, chk Check, out Output, seed string) {
	t.Helper()
	var h uint64
	for _, c := range seed {
		h = h*31 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(h, 1))
	for i := 0; i < 100; i++ {
		o := out
		o.Stdout = mutate(rng, out.Stdout)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("Evaluate panicked on mutation %d:\n%q\n%v", i, o.Stdout, r)
				}
			}()
			checkResultShape(t, chk.Evaluate(o))
		}()
	}
}

// mutate returns a damaged copy of b.
func mutate(rng *rand.Rand, b []byte) []byte {
	if len(b) == 0 {
		return []byte{byte(rng.IntN(256))}
	}
	out := bytes.Clone(b)
	switch rng.IntN(4) {
	case 0: // change a few bytes
		for n := 1 + rng.IntN(4); n > 0; n-- {
			out[rng.IntN(len(out))] = byte(rng.IntN(256))
		}
	case 1: // drop a line
		lines := bytes.SplitAfter(out, []byte("\n"))
		i := rng.IntN(len(lines))
		out = bytes.Join(append(lines[:i:i], lines[i+1:]...), nil)
	case 2: // repeat a line
		lines := bytes.SplitAfter(out, []byte("\n"))
		i := rng.IntN(len(lines))
		out = bytes.Join(append(lines[:i+1:i+1], lines[i:]...), nil)
	default: // digits become letters or signs
		for i, c := range out {
			if c >= '0' && c <= '9' && rng.IntN(3) == 0 {
				out[i] = "x-.e"[rng.IntN(4)]
			}
		}
	}
	return out
}

// formatResult renders a result as the text kept in .golden files: status,
// summary, error kind and reason when set, details (indented) and metrics as Nagios perfdata, one a line.
func formatResult(r Result) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "status: %s\n", r.Status)
	fmt.Fprintf(&b, "summary: %s\n", r.Summary)
	if r.ErrorKind != "" {
		fmt.Fprintf(&b, "error_kind: %s\n", r.ErrorKind)
	}
	if r.Reason != "" {
		fmt.Fprintf(&b, "reason: %s\n", r.Reason)
	}
	if r.Details != "" {
		b.WriteString("details:\n")
		for _, l := range strings.Split(strings.TrimRight(r.Details, "\n"), "\n") {
			b.WriteString("  " + l + "\n")
		}
	}
	if len(r.Metrics) > 0 {
		b.WriteString("metrics:\n")
		for _, m := range r.Metrics {
			b.WriteString("  " + formatMetric(m) + "\n")
		}
	}
	return b.String()
}

// formatMetric renders one metric as perfdata: 'label'=valueUOM;warn;crit;min;max.
func formatMetric(m Metric) string {
	num := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	s := fmt.Sprintf("'%s'=%s%s;%s;%s;%s;%s", m.Name, strconv.FormatFloat(m.Value, 'f', -1, 64), m.Unit,
		m.Warn, m.Crit, num(m.Min), num(m.Max))
	return strings.TrimRight(s, ";")
}

// mustBuiltin builds a built-in check or fails the test.
func mustBuiltin(t *testing.T, typ string, params Params) Check {
	t.Helper()
	c, err := Builtins().New(typ, typ, params)
	if err != nil {
		t.Fatalf("New(%s, %v): %v", typ, params, err)
	}
	return c
}

// assertParamErr checks that err is nil when wantKey is "", else a
// *ParamError about wantKey.
func assertParamErr(t *testing.T, err error, wantKey string) {
	t.Helper()
	if wantKey == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var pe *ParamError
	if !errors.As(err, &pe) {
		t.Fatalf("got %v (%T), want a *ParamError about %q", err, err, wantKey)
	}
	if pe.Key != wantKey {
		t.Fatalf("ParamError key %q, want %q (%v)", pe.Key, wantKey, err)
	}
}

// writeTestFile writes a test file, creating its directory.
func writeTestFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkBuiltinContract asserts what every built-in of type typ promises:
// a name and help, documented parameters whose documented defaults are
// accepted by New, a configured name kept, a command that sh parses, and
// UNKNOWN (not a panic) for empty output. params must build an instance.
func checkBuiltinContract(t *testing.T, typ string, params Params) {
	t.Helper()
	b, ok := Builtins()[typ]
	if !ok {
		t.Fatalf("no built-in %q", typ)
	}
	if b.Name != typ || b.Help == "" || strings.Contains(b.Help, "not implemented") {
		t.Errorf("built-in %q: name %q, help %q", typ, b.Name, b.Help)
	}
	defaults := Params{}
	for _, p := range b.Params {
		if p.Name == "" || p.Help == "" {
			t.Errorf("built-in %q: undocumented parameter %+v", typ, p)
		}
		if p.Default != "" {
			defaults[p.Name] = p.Default
		}
	}
	for k, v := range params {
		defaults[k] = v
	}
	if _, err := b.New("with-defaults", defaults); err != nil {
		t.Errorf("built-in %q rejects its documented defaults %v: %v", typ, defaults, err)
	}
	chk, err := b.New("my-"+typ, params)
	if err != nil {
		t.Fatalf("New(%v): %v", params, err)
	}
	if chk.Name() != "my-"+typ {
		t.Errorf("Name() = %q, want the configured name %q", chk.Name(), "my-"+typ)
	}
	cmd := chk.Command()
	if cmd == "" {
		t.Fatal("empty command")
	}
	if _, err := exec.LookPath("sh"); err == nil {
		if out, err := exec.Command("sh", "-n", "-c", cmd).CombinedOutput(); err != nil {
			t.Errorf("sh -n rejects the command: %v: %s\n%s", err, out, cmd)
		}
	}
	if r := chk.Evaluate(Output{Now: goldenNow}); r.Status != Unknown || r.Summary == "" {
		t.Errorf("empty output: got %s %q, want UNKNOWN with a summary", r.Status, r.Summary)
	}
}
