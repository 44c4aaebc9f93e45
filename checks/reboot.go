package checks

import (
	"strings"
	"time"
)

// rebootBuiltin is the pending-reboot check.
func rebootBuiltin() Builtin {
	return Builtin{
		Name: "reboot",
		Help: "pending reboot: /run/reboot-required and its .pkgs list (Debian/Ubuntu), " +
			"`needs-restarting -r` (RHEL and derivatives); WARNING when one is required",
		Params: []Param{
			{Name: "crit_after", Default: "", Help: "CRITICAL once /run/reboot-required is at least this old, e.g. 30d (default: never)"},
		},
		Default: true,
		New:     newRebootCheck,
	}
}

// rebootCheck is a configured reboot check.
type rebootCheck struct {
	name      string
	critAfter time.Duration // 0: never CRITICAL
}

// newRebootCheck validates params and builds a reboot check.
func newRebootCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("crit_after"); err != nil {
		return nil, err
	}
	d, err := p.Duration("crit_after", 0)
	if err != nil {
		return nil, err
	}
	if _, set := p["crit_after"]; set && d <= 0 {
		return nil, paramErr("crit_after", "must be more than 0")
	}
	return &rebootCheck{name: name, critAfter: d}, nil
}

// Name returns the configured name.
func (c *rebootCheck) Name() string { return c.name }

// Command prints the host clock, whether /run/reboot-required exists (with
// its mtime and package list) and, where installed, the verdict of
// needs-restarting -r (exit 1: reboot needed).
func (c *rebootCheck) Command() string {
	const flag = "/run/reboot-required"
	return strings.Join([]string{
		"LC_ALL=C; export LC_ALL; " + captureSetup,
		`echo "now=$(date +%s)"`,
		"if [ -e " + flag + " ]; then " +
			markerLine("debian", "required=yes", "mtime=$(stat -c %Y "+flag+" 2>/dev/null)") +
			"; head -c 8192 " + flag + ".pkgs 2>/dev/null; echo; else " + markerLine("debian", "required=no") + "; fi",
		"if command -v needs-restarting >/dev/null 2>&1; then " +
			captureLines("rhel", "timeout 30 needs-restarting -r") + "; fi",
		markerLine(endSection),
	}, "\n")
}

// Evaluate judges the flags printed by Command.
func (c *rebootCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult("reboot: " + err.Error())
	}
	deb, ok := ss.Get("debian")
	if !ok || (deb.Attr("required") != "yes" && deb.Attr("required") != "no") {
		return unknownResult("reboot: output lacks the /run/reboot-required test")
	}
	now, _ := hostNow(ss, out)
	var f findings
	var details, reasons []string
	required := false

	if deb.Attr("required") == "yes" {
		pkgs := uniqueLines(deb.Lines())
		reasons = append(reasons, pkgs...)
		st, since := Warning, ""
		if t, ok := unixAttr(deb, "mtime"); ok {
			age := nonNegative(now.Sub(t))
			since = " for " + humanDuration(age)
			details = append(details, "/run/reboot-required since "+t.UTC().Format(time.RFC3339)+" ("+humanDuration(age)+" ago)")
			if c.critAfter > 0 && age >= c.critAfter {
				st = Critical
			}
		} else {
			details = append(details, "/run/reboot-required exists")
		}
		if len(pkgs) > 0 {
			details = append(details, "packages: "+strings.Join(pkgs, ", "))
		}
		f.Add(st, "reboot required%s", since)
		required = true
	}

	if _, ok := ss.Get("rhel"); ok {
		rc, stderr, haveRC := ss.exitStatus("rhel")
		sec, _ := ss.Get("rhel")
		switch {
		case !haveRC:
			f.Add(Unknown, "needs-restarting gave no exit status")
		case rc == 0:
			details = append(details, "needs-restarting -r: no reboot needed")
		case rc == 1:
			items := needsRestartingItems(sec.Lines())
			reasons = append(reasons, items...)
			details = append(details, "needs-restarting -r: reboot required"+listNote(items))
			f.Add(Warning, "reboot required")
			required = true
		case rc == 124:
			f.Add(Unknown, "needs-restarting -r timed out after 30s")
		default:
			msg := firstLine([]byte(stderr), 120)
			if msg == "" {
				msg = firstLine([]byte(sec.Body), 120)
			}
			f.Add(Unknown, "needs-restarting -r failed (exit %d: %s)", rc, orNone(msg))
		}
	}

	status, summary := f.Verdict("no reboot required")
	if required {
		// One "reboot required" however many sources said so, with the
		// reasons; a source that failed cannot unsay it, so it goes to the
		// details instead of turning the verdict UNKNOWN.
		status, summary = Warning, rebootSummary(f, reasons)
		for _, x := range f {
			if x.Status == Critical {
				status = Critical
			}
			if x.Status == Unknown {
				details = append(details, x.Text)
			}
		}
	}
	reason := ""
	if required {
		reason = "reboot_required"
	}
	return Result{Status: status, Summary: summary, Details: strings.Join(details, "\n"), Reason: reason,
		Metrics: []Metric{{Name: "reboot_required", Value: boolFloat(required), Warn: "0", Min: floatPtr(0), Max: floatPtr(1)}}}
}

// rebootSummary writes "reboot required for 3d (linux-image-..., libc6)"
// from the findings: the longest "reboot required..." text and the reasons.
func rebootSummary(f findings, reasons []string) string {
	head := "reboot required"
	for _, x := range f {
		if strings.HasPrefix(x.Text, "reboot required") && len(x.Text) > len(head) {
			head = x.Text
		}
	}
	if r := uniqueLines(reasons); len(r) > 0 {
		head += " (" + joinCapped(r, 5) + ")"
	}
	return head
}

// needsRestartingItems picks "  * kernel" lines from needs-restarting -r.
func needsRestartingItems(lines []string) []string {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if item, ok := strings.CutPrefix(l, "* "); ok && item != "" {
			out = append(out, clip(oneLine(item), 60))
		}
	}
	return out
}

// uniqueLines trims lines, drops blanks and repeats, keeps order.
func uniqueLines(lines []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lines {
		l = clip(oneLine(l), 80)
		if l == "" || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

// listNote writes ": a, b" for a non-empty list, "" otherwise.
func listNote(items []string) string {
	if len(items) == 0 {
		return ""
	}
	return ": " + strings.Join(items, ", ")
}

// boolFloat is 1 for true, 0 for false.
func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
