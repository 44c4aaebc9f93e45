package checks

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// puppetSummaryBodies are the last_run_summary.yaml bodies of the golden
// puppet outputs and those written by real Puppet.
func puppetSummaryBodies(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "puppet", "*.out"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no puppet golden outputs: %v", err)
	}
	bodies := map[string]string{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ss, err := readSections(Output{Stdout: data})
		if err != nil {
			continue
		}
		if s, ok := ss.Get("summary"); ok {
			bodies[filepath.Base(f)] = s.Body
		}
	}
	for path, body := range realPuppetSummaries(t) {
		bodies[path] = body
	}
	return bodies
}

// mutations of one line of a summary: each must either be read by the
// scanner exactly as YAML reads it, or be left to the YAML decoder.
var puppetLineMutations = []func(string) string{
	func(l string) string { return "" },
	func(l string) string { return l + "\n" + l },                                    // duplicate key
	func(l string) string { return l + " # comment" },                                // comment
	func(l string) string { return l + "\r" },                                        // CRLF
	func(l string) string { return "\t" + strings.TrimLeft(l, " ") },                 // tab indentation
	func(l string) string { return "  " + l },                                        // deeper
	func(l string) string { return strings.TrimLeft(l, " ") },                        // shallower
	func(l string) string { return strings.Replace(l, ": ", ": '", 1) + "'" },        // quoted
	func(l string) string { return strings.Replace(l, ": ", ": \"", 1) + "\"" },      // double-quoted
	func(l string) string { return strings.Replace(l, ":", ":  ", 1) },               // extra space
	func(l string) string { return strings.Replace(l, ": ", ":", 1) },                // no space
	func(l string) string { return cutValue(l) + " 010" },                            // octal: YAML reads 8
	func(l string) string { return cutValue(l) + " 1e3" },                            // exponent
	func(l string) string { return cutValue(l) + " 2.1322e-05" },                     // Puppet's exponent
	func(l string) string { return cutValue(l) + " 1.5E+3" },                         // upper-case exponent
	func(l string) string { return cutValue(l) + " 1.e5" },                           // empty fraction
	func(l string) string { return cutValue(l) + " 1." },                             // trailing dot
	func(l string) string { return cutValue(l) + " 5e-" },                            // no exponent digits
	func(l string) string { return cutValue(l) + " 5e3e3" },                          // two exponents
	func(l string) string { return cutValue(l) + " '1796146227'" },                   // quoted config version
	func(l string) string { return cutValue(l) + " .inf" },                           // special float
	func(l string) string { return cutValue(l) + " -5" },                             // negative
	func(l string) string { return cutValue(l) + " +5" },                             // plus sign
	func(l string) string { return cutValue(l) + " 0x1F" },                           // hex
	func(l string) string { return cutValue(l) + " 1_000" },                          // underscore
	func(l string) string { return cutValue(l) + " true" },                           // keyword
	func(l string) string { return cutValue(l) + " Null" },                           // keyword
	func(l string) string { return cutValue(l) + " ~" },                              // null
	func(l string) string { return cutValue(l) + "" },                                // empty
	func(l string) string { return cutValue(l) + " {}" },                             // flow mapping
	func(l string) string { return cutValue(l) + " [1, 2]" },                         // flow sequence
	func(l string) string { return cutValue(l) + " &a 3" },                           // anchor
	func(l string) string { return cutValue(l) + " !!str 3" },                        // tag
	func(l string) string { return cutValue(l) + " -" },                              // sequence?
	func(l string) string { return cutValue(l) + " 7.28" },                           // float
	func(l string) string { return cutValue(l) + " 7.28.1" },                         // version
	func(l string) string { return cutValue(l) + " 00.1" },                           // leading zeros
	func(l string) string { return cutValue(l) + " 123456789012345678901234567890" }, // huge
	func(l string) string { return cutValue(l) + " prod_env2" },                      // word
	func(l string) string { return cutValue(l) + " yes" },                            // YAML 1.1 bool
	func(l string) string { return "true" + l[strings.Index(l+":", ":"):] },          // keyword key
	func(l string) string { return "123" + l[strings.Index(l+":", ":"):] },           // numeric key
	func(l string) string { return "- " + l },                                        // sequence item
	func(l string) string { return "..." },                                           // document end
	func(l string) string { return "---" },                                           // second document
}

// cutValue is the line up to and including its first colon.
func cutValue(l string) string {
	if i := strings.IndexByte(l, ':'); i >= 0 {
		return l[:i+1]
	}
	return l + ":"
}

// TestScanPuppetSummaryAgreesWithYAML checks the scanner against the YAML
// decoder on every golden summary and on every mutation of every line of
// them: when the scanner accepts a body, YAML must decode it without error
// into the same value.
func TestScanPuppetSummaryAgreesWithYAML(t *testing.T) {
	bodies := puppetSummaryBodies(t)
	accepted, checked := 0, 0
	agree := func(name, body string) {
		t.Helper()
		checked++
		got, ok := scanPuppetSummary(body)
		if !ok {
			return
		}
		accepted++
		var want puppetSummary
		if err := yaml.Unmarshal([]byte(body), &want); err != nil {
			t.Errorf("%s: the scanner accepted a body YAML rejects (%v):\n%s", name, err, body)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: scanner gives %+v, YAML %+v, for:\n%s", name, got, want, body)
		}
	}
	bases := map[string]string{}
	for name, body := range bodies {
		bases[name] = body
		// Puppet 3 indents the top-level keys too.
		bases[name+" indented"] = strings.ReplaceAll(strings.ReplaceAll("\n"+body, "\n", "\n  "), "\n  ---", "\n---")[1:]
	}
	for _, name := range []string{"healthy.out", "healthy.out indented"} {
		if _, ok := scanPuppetSummary(bases[name]); !ok {
			t.Errorf("the scanner left %s to YAML: it is Puppet's own shape", name)
		}
	}
	for name, body := range bases {
		agree(name, body)
		lines := strings.Split(body, "\n")
		for i := range lines {
			for m, mutate := range puppetLineMutations {
				mutated := append(append(append([]string{}, lines[:i]...), mutate(lines[i])), lines[i+1:]...)
				agree(name+":"+lines[i]+":"+string(rune('a'+m)), strings.Join(mutated, "\n"))
			}
		}
	}
	if accepted < len(bases) || accepted == checked {
		t.Errorf("the scanner accepted %d of %d bodies: want the plain ones read and the odd ones left to YAML", accepted, checked)
	}
}

func TestScanPuppetSummaryReadsPuppetsShape(t *testing.T) {
	body := "---\nversion:\n  config: 1799999200\n  puppet: 7.28.0\napplication:\n  run_mode: agent\n  converged_environment: production\n" +
		"resources:\n  failed: 2\n  total: 512\ntime:\n  last_run: 1799999000\n  total: 23.4\nchanges:\n  total: 3\nevents:\n  failure: 0\n"
	ps, ok := scanPuppetSummary(body)
	if !ok {
		t.Fatal("scanner rejected Puppet's own shape")
	}
	if ps.Version == nil || ps.Version.Config != 1799999200 || ps.Version.Puppet != "7.28.0" ||
		ps.Application == nil || ps.Application.Environment != "production" ||
		ps.Resources["failed"] != 2 || ps.Resources["total"] != 512 || ps.Time["total"] != 23.4 || ps.Events == nil {
		t.Errorf("scanPuppetSummary = %+v", ps)
	}
}

func TestScanPuppetSummaryReadsPuppet3Shape(t *testing.T) {
	body := "---\n  version:\n    config: 1799998100\n    puppet: \"3.8.7\"\n  resources:\n    failed: 0\n    total: 12\n  time:\n    last_run: 1799999000\n  events:\n    total: 0\n"
	ps, ok := scanPuppetSummary(body)
	if !ok {
		t.Fatal("scanner rejected Puppet 3's shape")
	}
	if ps.Version == nil || ps.Version.Puppet != "3.8.7" || ps.Version.Config != 1799998100 || ps.Resources["total"] != 12 || ps.Events["total"] != 0 || ps.Events == nil {
		t.Errorf("scanPuppetSummary = %+v", ps)
	}
}

// BenchmarkParsePuppetSummary compares the scanner with the YAML decoder
// on a healthy summary.
func BenchmarkParsePuppetSummary(b *testing.B) {
	body := puppetSummaryBodies(b)["healthy.out"]
	if body == "" {
		b.Fatal("no healthy summary")
	}
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parsePuppetSummary(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ps puppetSummary
			if err := yaml.Unmarshal([]byte(body), &ps); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// realPuppetSummaries are the last_run_summary.yaml files written by real
// Puppet under testdata/puppet/real, by path.
func realPuppetSummaries(t testing.TB) map[string]string {
	t.Helper()
	bodies := map[string]string{}
	err := filepath.WalkDir(realPuppetDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "last_run_summary.yaml" {
			return err
		}
		data, err := os.ReadFile(path)
		bodies[path] = string(data)
		return err
	})
	if err != nil || len(bodies) == 0 {
		t.Fatalf("no real puppet summaries in %s: %v", realPuppetDir, err)
	}
	return bodies
}

// BenchmarkParsePuppetSummaryReal parses every summary written by real
// Puppet (one op is all of them) and reports the share the scanner read
// without falling back to the YAML decoder (scan-hit-%).
func BenchmarkParsePuppetSummaryReal(b *testing.B) {
	bodies := realPuppetSummaries(b)
	hits := 0
	for _, body := range bodies {
		if _, ok := scanPuppetSummary(body); ok {
			hits++
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, body := range bodies {
			if _, err := parsePuppetSummary(body); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(100*float64(hits)/float64(len(bodies)), "scan-hit-%")
	b.ReportMetric(float64(len(bodies)), "files")
}
