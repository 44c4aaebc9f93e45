package checks

import (
	"strconv"
	"strings"
	"time"
)

// puppetReportAwk extracts on the host what the check needs of
// last_run_report.yaml, which can be megabytes: the top-level scalars it
// reads, the first line of the first error logs, and the failed, failed to
// restart and skipped resources, each a line, and their counts at the end:
//
//	status: failed
//	cached_catalog_status: not_used
//	@err Could not retrieve catalog from remote server: ...
//	@failed Exec[migrate-db]
//	@count failed 1
//
// Puppet writes the report in one shape (Psych's YAML): top-level keys at
// column 0, each resource status at two spaces under resource_statuses
// with its "resource:", "failed:", "failed_to_restart:" and "skipped:" at
// four, each log entry as "- level:" then "  message:" (a block scalar's
// lines are joined). It reads the file
// once, keeps nothing but counters and five messages, and prints at most
// a few kilobytes. A message Psych folds over several lines (quoted, or a
// block scalar) is joined. The first error about the catalog comes again
// as "@caterr": it says why a catalog was not applied, where the first
// error may be a fact that failed to resolve.
const puppetReportAwk = `
function closed(v,   q, n) {
	q = substr(v, 1, 1)
	if (q != "'" && q != "\"") return 1
	if (q == "\"") return length(v) > 1 && substr(v, length(v), 1) == q && substr(v, length(v) - 1, 1) != "\\"
	n = 0
	while (n < length(v) - 1 && substr(v, length(v) - n, 1) == q) n++
	return n % 2 == 1
}
function emit(m) {
	if (!cat && m ~ /[Cc]atalog|[Cc]ycle/) { cat = 1; print "@caterr " substr(m, 1, 600) }
	if (errs < 5 && !(m in seen)) { seen[m] = 1; errs++; print "@err " substr(m, 1, 600) }
}
blk && /^    / { if (length(msg) < 600) msg = msg (msg == "" ? "" : " ") substr($0, 5); next }
blk { emit(msg); blk = 0 }
/^[a-z_]+:/ { sec = $0; sub(/:.*/, "", sec) }
/^(status|cached_catalog_status|transaction_completed|noop|noop_pending|corrective_change|configuration_version|puppet_version|environment|server_used|master_used|time): / { print substr($0, 1, 300); next }
sec == "logs" && /^- level: / { lvl = substr($0, 10); next }
sec == "logs" && /^  message: / {
	v = substr($0, 12)
	if (lvl != "err") next
	if (v ~ /^[|>][-+]?$/) { blk = 1; msg = "" } else if (!closed(v)) { blk = 1; msg = v } else emit(v)
	next
}
sec == "resource_statuses" && /^    resource: / { res = substr($0, 15, 300); next }
sec == "resource_statuses" && /^    failed: true$/ { n["failed"]++; if (n["failed"] <= 20) print "@failed " res; next }
sec == "resource_statuses" && /^    failed_to_restart: true$/ { n["restart"]++; if (n["restart"] <= 20) print "@restart " res; next }
sec == "resource_statuses" && /^    skipped: true$/ { n["skipped"]++; if (n["skipped"] <= 20) print "@skipped " res; next }
END { if (blk) emit(msg); print "@count failed " (n["failed"] + 0); print "@count restart " (n["restart"] + 0); print "@count skipped " (n["skipped"] + 0) }
`

// puppetReport is what puppetReportAwk printed of last_run_report.yaml.
type puppetReport struct {
	path                      string
	top                       map[string]string // top-level scalars, unquoted
	errors                    []string          // the first distinct error logs
	catalogErr                string            // the first error about the catalog
	failed                    []string          // failed resources, then those only failed to restart
	skipped                   []string
	failedCount, skippedCount int
}

// parsePuppetReport reads the lines puppetReportAwk printed.
func parsePuppetReport(path, body string) *puppetReport {
	r := &puppetReport{path: path, top: map[string]string{}}
	var restart []string
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimRight(l, "\r")
		if rest, ok := strings.CutPrefix(l, "@"); ok {
			kind, value, _ := strings.Cut(rest, " ")
			value = psychScalar(value)
			switch kind {
			case "err":
				r.errors = append(r.errors, oneLine(value))
			case "caterr":
				r.catalogErr = oneLine(value)
			case "failed":
				r.failed = append(r.failed, oneLine(value))
			case "restart":
				restart = append(restart, oneLine(value))
			case "skipped":
				r.skipped = append(r.skipped, oneLine(value))
			case "count":
				what, n, _ := strings.Cut(value, " ")
				count, err := strconv.Atoi(n)
				if err != nil || count < 0 {
					continue
				}
				switch what {
				case "failed":
					r.failedCount = count
				case "skipped":
					r.skippedCount = count
				}
			}
			continue
		}
		if k, v, ok := strings.Cut(l, ": "); ok && k != "" && !strings.ContainsAny(k, " \t") {
			r.top[k] = psychScalar(v)
		}
	}
	// A resource that failed to restart is failed too in Puppet ≥ 4; older
	// agents count it apart.
	seen := map[string]bool{}
	for _, f := range r.failed {
		seen[f] = true
	}
	for _, f := range restart {
		if !seen[f] {
			r.failed = append(r.failed, f)
			r.failedCount++
		}
	}
	r.failedCount = max(r.failedCount, len(r.failed))
	r.skippedCount = max(r.skippedCount, len(r.skipped))
	return r
}

// psychScalar unquotes a one-line YAML scalar as Psych writes it: 'single'
// (” for a quote) or "double" (backslash escapes); a quoted scalar cut at
// the end of its line (Psych folds long ones) loses its opening quote.
func psychScalar(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	case s != "" && (s[0] == '\'' || s[0] == '"'):
		return strings.ReplaceAll(s[1:], "''", "'") + "…"
	}
	return s
}

// readReport parses the report section, unless it is from another run
// than the summary (written more than puppetReportSkew apart).
func (c *puppetCheck) readReport(j *puppetJudgement, rs, sum section) *puppetReport {
	l, _, _ := c.layoutOf(rs)
	path := l.stateDir + "/last_run_report.yaml"
	rt, rok := unixAttr(rs, "mtime")
	st, sok := unixAttr(sum, "mtime")
	if rok && sok && (rt.Sub(st) > puppetReportSkew || st.Sub(rt) > puppetReportSkew) {
		j.details = append(j.details, "report: "+path+" ignored: written "+humanDuration(rt.Sub(st).Abs())+" apart from the summary (another run)")
		return nil
	}
	r := parsePuppetReport(path, rs.Body)
	note := "report: " + path
	var parts []string
	for _, k := range []string{"status", "cached_catalog_status", "transaction_completed", "noop"} {
		if v, ok := r.top[k]; ok {
			parts = append(parts, k+" "+v)
		}
	}
	if len(parts) > 0 {
		note += " (" + oneLine(strings.Join(parts, ", ")) + ")"
	}
	j.details = append(j.details, note)
	return r
}

// puppetReportSkew is how far apart the summary and the report of one run
// may be written.
const puppetReportSkew = 10 * time.Minute

// judgeReport reports a cached catalog applied, the run's errors and its
// skipped resources.
func judgeReport(j *puppetJudgement, r *puppetReport) {
	switch st := r.top["cached_catalog_status"]; st {
	case "", "not_used":
	case "on_failure":
		text := "cached catalog applied: the server gave no new one"
		if r.why() != "" {
			text += " (" + r.why() + ")"
		}
		j.add(Warning, puppetReasonCached, "%s", text)
	case "explicitly_requested":
		j.add(Warning, puppetReasonCached, "cached catalog applied (use_cached_catalog): the server was not asked for a new one")
	default:
		j.add(Warning, puppetReasonCached, "cached catalog applied (cached_catalog_status %s)", oneLine(clip(st, 40)))
	}
	for _, e := range r.errors {
		j.details = append(j.details, "error: "+clip(e, 300))
	}
	if len(r.skipped) > 0 {
		j.details = append(j.details, "skipped: "+namedList(r.skipped, r.skippedCount))
	}
}

// why is the report's reason for a catalog not applied: its first error
// about the catalog, else its first error, up to the first escaped
// newline Puppet leaves in its messages and clipped; "" for none (or no
// report).
func (r *puppetReport) why() string {
	if r == nil {
		return ""
	}
	e := r.catalogErr
	if e == "" && len(r.errors) > 0 {
		e = r.errors[0]
	}
	e, _, _ = strings.Cut(e, `\n`)
	return clip(strings.TrimSpace(e), 160)
}
