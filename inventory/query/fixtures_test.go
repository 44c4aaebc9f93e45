package query

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cuminFixtureDir finds ../shared/peers/cumin beside the module root.
func cuminFixtureDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory: cumin fixtures not found")
		}
		dir = parent
	}
	fix := filepath.Join(dir, "..", "shared", "peers", "cumin")
	if _, err := os.Stat(fix); err != nil {
		t.Skipf("cumin grammar fixtures not found at %s", fix)
	}
	return fix
}

// fixtureLines reads the non-comment lines of a fixture file.
func fixtureLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(lines) == 0 {
		t.Fatalf("%s holds no query", path)
	}
	return lines
}

// extensionLine is the one cumin-invalid line fleetcheck accepts on
// purpose: "not" at the start of a group.
const extensionLine = "A:alias1 and (not P{query1} or D{query1}) and not A:alias2"

func TestCuminFixtureVerdicts(t *testing.T) {
	dir := cuminFixtureDir(t)
	tests := []struct {
		file  string
		valid bool
		parse func(string) error
	}{
		{"global_valid_grammars.txt", true, parseGlobalOnly},
		{"global_invalid_grammars.txt", false, parseGlobalOnly},
		{"direct_valid.txt", true, parseInBlock("D")},
		{"direct_invalid.txt", false, parseInBlock("D")},
		{"knownhosts_valid.txt", true, parseInBlock("K")},
		{"knownhosts_invalid.txt", false, parseInBlock("K")},
		{"puppetdb_valid.txt", true, parseInBlock("P")},
		{"puppetdb_invalid.txt", false, parseInBlock("P")},
	}
	total, agree := 0, 0
	for _, tt := range tests {
		for _, line := range fixtureLines(t, filepath.Join(dir, tt.file)) {
			total++
			want := tt.valid
			if line == extensionLine {
				want = true
			}
			err := tt.parse(line)
			if got := err == nil; got != want {
				t.Errorf("%s: %q: valid = %v, want %v (err: %v)", tt.file, line, got, want, err)
				continue
			}
			agree++
		}
	}
	t.Logf("cumin fixtures: %d/%d lines agree", agree, total)
}

// parseGlobalOnly judges a line at the global level only, leaving the
// inside of blocks unparsed as cumin's global fixtures require.
func parseGlobalOnly(q string) error {
	_, err := parseQuery(q, true)
	return err
}

// parseInBlock judges a line as the inside of a backend block, through
// Parse itself.
func parseInBlock(backend string) func(string) error {
	return func(q string) error {
		_, err := Parse(backend + "{" + q + "}")
		return err
	}
}

func TestGlobalFixturesThroughParse(t *testing.T) {
	// The valid global lines whose blocks hold valid backend queries must
	// also pass the full parser.
	dir := cuminFixtureDir(t)
	for _, line := range fixtureLines(t, filepath.Join(dir, "global_valid_grammars.txt")) {
		if strings.Contains(line, "puppetdb query") || strings.Contains(line, "direct (query)") {
			continue
		}
		if _, err := Parse(line); err != nil {
			t.Errorf("Parse(%q): %v", line, err)
		}
	}
}
