package checks

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPuppetReportAwkOnRealReports runs the extraction with the real
// /bin/sh and awk on every report real Puppet wrote, and checks what it
// keeps against the whole report read by the YAML decoder.
func TestPuppetReportAwkOnRealReports(t *testing.T) {
	reports, err := filepath.Glob(filepath.Join(realPuppetDir, "*", "var", "cache", "puppet", "state", "last_run_report.yaml"))
	if err != nil || len(reports) == 0 {
		t.Fatalf("no real reports: %v", err)
	}
	for _, path := range reports {
		t.Run(strings.Split(strings.TrimPrefix(path, realPuppetDir+"/"), "/")[0], func(t *testing.T) {
			out := runReportAwk(t, path)
			full := readYAMLReport(t, path)
			r := parsePuppetReport(path, out)
			sort.Strings(r.failed)
			sort.Strings(r.skipped)
			for _, k := range []string{"status", "cached_catalog_status", "transaction_completed", "noop"} {
				if got, want := r.top[k], full.top[k]; got != want {
					t.Errorf("%s: awk kept %q, the report says %q", k, got, want)
				}
			}
			if strings.Join(r.failed, "|") != strings.Join(full.failed, "|") || r.failedCount != len(full.failed) {
				t.Errorf("failed: awk kept %q (%d), the report has %q", r.failed, r.failedCount, full.failed)
			}
			if strings.Join(r.skipped, "|") != strings.Join(full.skipped, "|") {
				t.Errorf("skipped: awk kept %q, the report has %q", r.skipped, full.skipped)
			}
			if len(full.errors) > 0 && (len(r.errors) == 0 || r.errors[0] != full.errors[0]) {
				t.Errorf("first error: awk kept %q, the report has %q", r.errors, full.errors[0])
			}
		})
	}
}

// TestPuppetReportAwkBounded runs the extraction on a report of megabytes
// (a real one with its resource statuses repeated) and checks that what
// crosses the wire stays small and the counts stay right.
func TestPuppetReportAwkBounded(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(realPuppetDir, "many_failures", "var", "cache", "puppet", "state", "last_run_report.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(string(data), "\nresource_statuses:\n")
	if !ok {
		t.Fatal("no resource_statuses in the report")
	}
	statuses, tail, _ := strings.Cut(rest, "\ncorrective_change:")
	var b strings.Builder
	b.WriteString(head + "\nresource_statuses:\n")
	const copies = 300
	for i := range copies {
		b.WriteString(strings.ReplaceAll(statuses, "Exec[check-", "Exec[copy"+strconv.Itoa(i)+"-") + "\n")
	}
	b.WriteString("corrective_change:" + tail)
	path := filepath.Join(t.TempDir(), "last_run_report.yaml")
	writeTestFile(t, path, b.String())
	out := runReportAwk(t, path)
	if b.Len() < 1<<20 || len(out) > 8<<10 {
		t.Fatalf("a %d-byte report gave %d bytes of extraction", b.Len(), len(out))
	}
	r := parsePuppetReport(path, out)
	if r.failedCount != 7*copies || len(r.failed) != 20 || r.top["status"] != "failed" {
		t.Errorf("extraction: %d failed (%d named), status %q", r.failedCount, len(r.failed), r.top["status"])
	}
	t.Logf("report %d bytes, extraction %d bytes", b.Len(), len(out))
}

// readYAMLReport reads what the check needs of a report with the YAML
// decoder, the whole file: failed and skipped resources sorted.
func readYAMLReport(t *testing.T, path string) *puppetReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Status        string `yaml:"status"`
		Cached        string `yaml:"cached_catalog_status"`
		Completed     bool   `yaml:"transaction_completed"`
		Noop          bool   `yaml:"noop"`
		Logs          []struct{ Level, Message string }
		ResourceStats map[string]struct {
			Resource        string `yaml:"resource"`
			Failed          bool   `yaml:"failed"`
			FailedToRestart bool   `yaml:"failed_to_restart"`
			Skipped         bool   `yaml:"skipped"`
		} `yaml:"resource_statuses"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r := &puppetReport{top: map[string]string{"status": doc.Status, "cached_catalog_status": doc.Cached,
		"transaction_completed": strconv.FormatBool(doc.Completed), "noop": strconv.FormatBool(doc.Noop)}}
	for _, l := range doc.Logs {
		if l.Level == "err" {
			r.errors = append(r.errors, oneLine(l.Message))
		}
	}
	for _, st := range doc.ResourceStats {
		if st.Failed || st.FailedToRestart {
			r.failed = append(r.failed, st.Resource)
		}
		if st.Skipped {
			r.skipped = append(r.skipped, st.Resource)
		}
	}
	sort.Strings(r.failed)
	sort.Strings(r.skipped)
	return r
}

// runReportAwk runs puppetReportAwk on path with /bin/sh.
func runReportAwk(t *testing.T, path string) string {
	t.Helper()
	stdout, stderr, code := runShell(t, "awk "+shellQuote(puppetReportAwk)+" "+shellQuote(path))
	if code != 0 || len(stderr) > 0 {
		t.Fatalf("awk exited %d: %s", code, stderr)
	}
	return string(stdout)
}
