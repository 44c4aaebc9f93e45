package checks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

const certDay = 24 * time.Hour

// certsBuiltin reports the expiry of certificate files on the host.
func certsBuiltin() Builtin {
	return Builtin{
		Name:    "certs",
		Help:    "expiry of certificate files given as parameters (openssl x509 on the host)",
		Default: false,
		Params: []Param{
			{Name: "files", Help: "PEM certificate files to inspect (list, required); the first certificate of each is read"},
			{Name: "warn", Default: "21d", Help: "WARNING when a certificate expires within this duration"},
			{Name: "crit", Default: "7d", Help: "CRITICAL when a certificate expires within this duration (expired is always CRITICAL)"},
		},
		New: newCertsCheck,
	}
}

// certsCheck is a configured certs check.
type certsCheck struct {
	name       string
	files      []string
	warn, crit time.Duration
}

func newCertsCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("files", "warn", "crit"); err != nil {
		return nil, err
	}
	files, err := p.Strings("files", nil)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, paramErr("files", "required: a list of certificate files")
	}
	for i, f := range files {
		if f == "" || strings.ContainsAny(f, "\x00\n\r") {
			return nil, paramErr("files", "item %d: expected a file path, found %q", i+1, f)
		}
	}
	warn, err := p.Duration("warn", 21*certDay)
	if err != nil {
		return nil, err
	}
	crit, err := p.Duration("crit", 7*certDay)
	if err != nil {
		return nil, err
	}
	if crit > warn {
		return nil, paramErr("crit", "%s is longer than warn (%s): the warning would never show", formatCertAge(crit), formatCertAge(warn))
	}
	return &certsCheck{name: name, files: files, warn: warn, crit: crit}, nil
}

// Name is the configured name.
func (c *certsCheck) Name() string { return c.name }

// Command prints the host's clock, then for each file (numbered n=1..) a
// marker with its state and the `openssl x509 -enddate -subject` output.
func (c *certsCheck) Command() string {
	var b strings.Builder
	b.WriteString("LC_ALL=C; export LC_ALL; ")
	b.WriteString(markerLine("now") + "; date +%s; ")
	b.WriteString("if command -v openssl >/dev/null 2>&1; then i=0; for f in ")
	b.WriteString(shellQuoteAll(c.files...))
	b.WriteString(`; do i=$((i+1)); if [ ! -e "$f" ]; then ` + markerLine("cert", "n=$i", "state=missing") +
		`; elif [ ! -r "$f" ]; then ` + markerLine("cert", "n=$i", "state=unreadable") +
		"; else " + markerLine("cert", "n=$i", "state=present") +
		`; openssl x509 -noout -enddate -subject -in "$f" 2>&1; echo "rc=$?"; fi; done; else ` +
		markerLine("noopenssl") + "; fi; " + markerLine(endSection))
	return b.String()
}

// certState is what the output says about one file.
type certState struct {
	file     string
	status   Status
	problem  string    // why there is no expiry, when status is UNKNOWN without notAfter
	notAfter time.Time // zero when unknown
	left     time.Duration
	subject  string
}

// Evaluate judges each file's expiry against the host's clock.
func (c *certsCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult(err.Error())
	}
	if _, ok := ss.Get("noopenssl"); ok {
		res := unknownResult("openssl not found on the host")
		res.Reason = "no_openssl"
		return res
	}
	now, clockNote := certHostClock(ss, out.Now)
	byN := map[string]section{}
	for _, s := range ss.All("cert") {
		byN[s.Attr("n")] = s
	}
	states := make([]certState, len(c.files))
	for i, f := range c.files {
		sec, ok := byN[strconv.Itoa(i+1)]
		states[i] = c.judge(f, sec, ok, now)
	}
	return c.verdict(states, clockNote, out)
}

// certHostClock reads the host's `date +%s`, falling back to local time.
func certHostClock(ss sections, local time.Time) (time.Time, string) {
	if sec, ok := ss.Get("now"); ok {
		if lines := sec.Lines(); len(lines) > 0 {
			if n, err := strconv.ParseInt(strings.TrimSpace(lines[0]), 10, 64); err == nil && n > 0 {
				return time.Unix(n, 0).UTC(), ""
			}
		}
	}
	return local, "host clock unreadable: expiry computed against the local clock"
}

// judge reads one file's section.
func (c *certsCheck) judge(file string, sec section, ok bool, now time.Time) certState {
	st := certState{file: file, status: Unknown}
	if !ok {
		st.problem = "no answer for this file"
		return st
	}
	switch sec.Attr("state") {
	case "missing":
		st.problem = "not found"
		return st
	case "unreadable":
		st.problem = "not readable (permission denied)"
		return st
	}
	var notAfter, rc string
	var other []string
	for _, l := range sec.Lines() {
		switch {
		case strings.HasPrefix(l, "notAfter="):
			notAfter = strings.TrimPrefix(l, "notAfter=")
		case strings.HasPrefix(l, "subject="):
			st.subject = clipText(oneLine(strings.TrimSpace(strings.TrimPrefix(l, "subject="))), 200)
		case strings.HasPrefix(l, "rc="):
			rc = strings.TrimPrefix(l, "rc=")
		default:
			other = append(other, l)
		}
	}
	if rc != "0" || notAfter == "" {
		msg := "not a readable certificate"
		if len(other) > 0 {
			msg += ": " + clipText(oneLine(other[0]), 120)
		}
		st.problem = msg
		return st
	}
	t, err := parseOpenSSLTime(notAfter)
	if err != nil {
		st.problem = fmt.Sprintf("cannot read expiry %q", clipText(oneLine(notAfter), 60))
		return st
	}
	st.notAfter = t
	st.left = t.Sub(now)
	switch {
	case st.left <= 0, st.left < c.crit:
		st.status = Critical
	case st.left < c.warn:
		st.status = Warning
	default:
		st.status = OK
	}
	return st
}

// parseOpenSSLTime parses openssl's "Jan  2 15:04:05 2027 GMT".
func parseOpenSSLTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !strings.HasSuffix(s, " GMT") {
		return time.Time{}, fmt.Errorf("expected a GMT time, found %q", s)
	}
	return time.ParseInLocation("Jan _2 15:04:05 2006", strings.TrimSuffix(s, " GMT"), time.UTC)
}

// verdict folds the per-file states into one result.
func (c *certsCheck) verdict(states []certState, clockNote string, out Output) Result {
	var res Result
	var soonest *certState
	var problems []string
	var details []string
	if clockNote != "" {
		details = append(details, clockNote)
	}
	for i := range states {
		st := &states[i]
		res.Status = Worst(res.Status, st.status)
		if st.notAfter.IsZero() {
			problems = append(problems, fmt.Sprintf("%s: %s", st.file, st.problem))
			details = append(details, fmt.Sprintf("%s: %s (UNKNOWN)", st.file, st.problem))
			continue
		}
		if soonest == nil || st.left < soonest.left {
			soonest = st
		}
		d := fmt.Sprintf("%s: %s, not after %s (%s)", st.file, describeCertLeft(st.left), st.notAfter.Format("2006-01-02 15:04 MST"), st.status)
		if st.subject != "" {
			d += ", subject " + st.subject
		}
		details = append(details, d)
		res.Metrics = append(res.Metrics, Metric{
			Name:  st.file,
			Value: math.Round(st.left.Hours()/24*100) / 100,
			Warn:  formatNumber(c.warn.Hours()/24) + ":",
			Crit:  formatNumber(c.crit.Hours()/24) + ":",
		})
	}
	var parts []string
	if soonest != nil {
		s := fmt.Sprintf("%s %s (%s)", soonest.file, describeCertLeft(soonest.left), soonest.status)
		if soonest.status == OK && len(states) > 1 && len(problems) == 0 {
			s = fmt.Sprintf("all %d certificates valid; soonest %s %s", len(states), soonest.file, describeCertLeft(soonest.left))
		}
		parts = append(parts, s)
	}
	if len(problems) > 0 {
		shown := problems
		if len(shown) > 2 {
			shown = shown[:2]
		}
		p := strings.Join(shown, ", ")
		if more := len(problems) - len(shown); more > 0 {
			p += fmt.Sprintf(" and %d more", more)
		}
		p += " (UNKNOWN)"
		if soonest != nil && soonest.status == OK {
			parts = append([]string{p}, parts...)
		} else {
			parts = append(parts, p)
		}
	}
	res.Summary = strings.Join(parts, "; ")
	res.Reason = certReason(res.Status, soonest, states)
	if e := strings.TrimSpace(pluginText(out.Stderr)); e != "" {
		details = append(details, "stderr:\n"+e)
	}
	res.Details = strings.Join(details, "\n")
	return res
}

// certReason is the result's reason: cert_expired or cert_expiring when
// the soonest expiry decided the status, else cert_missing or
// cert_unreadable for a file that could not be judged.
func certReason(st Status, soonest *certState, states []certState) string {
	switch {
	case st == OK:
		return ""
	case soonest != nil && soonest.status == st && soonest.left <= 0:
		return "cert_expired"
	case soonest != nil && soonest.status == st:
		return "cert_expiring"
	}
	for _, s := range states {
		if s.notAfter.IsZero() && s.problem == "not found" {
			return "cert_missing"
		}
	}
	return "cert_unreadable"
}

// describeCertLeft says "expires in 3d" or "expired 2d ago".
func describeCertLeft(left time.Duration) string {
	if left <= 0 {
		return "expired " + formatCertAge(-left) + " ago"
	}
	return "expires in " + formatCertAge(left)
}

// formatCertAge writes a duration in whole days, hours or minutes.
func formatCertAge(d time.Duration) string {
	switch {
	case d >= 2*certDay:
		return fmt.Sprintf("%dd", int64(d/certDay))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%dh", int64(d/time.Hour))
	default:
		return fmt.Sprintf("%dm", int64(d/time.Minute))
	}
}
