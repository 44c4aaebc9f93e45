package checks

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// httpBuiltin reports the status and latency of a URL fetched on the host.
func httpBuiltin() Builtin {
	return Builtin{
		Name:    "http",
		Help:    "status and latency of a URL fetched on the host (curl, else wget)",
		Default: false,
		Params: []Param{
			{Name: "url", Help: "http:// or https:// URL to fetch from the host (required)"},
			{Name: "warn", Default: "1s", Help: "WARNING when the fetch takes at least this long"},
			{Name: "crit", Help: "CRITICAL when the fetch takes at least this long (default: none)"},
			{Name: "expect", Help: "the status code wanted, e.g. 200 (default: 5xx CRITICAL, 4xx WARNING, others OK)"},
			{Name: "timeout", Default: "10s", Help: "give up after this long (curl --max-time); a timeout is CRITICAL"},
		},
		New: newHTTPCheck,
	}
}

// httpCheck is a configured http check.
type httpCheck struct {
	name       string
	url        string
	warn, crit time.Duration // crit 0: none
	expect     int           // 0: none
	timeout    time.Duration
}

func newHTTPCheck(name string, p Params) (Check, error) {
	if err := p.CheckKnown("url", "warn", "crit", "expect", "timeout"); err != nil {
		return nil, err
	}
	raw, err := p.String("url", "")
	if err != nil {
		return nil, err
	}
	if err := validHTTPURL(raw); err != nil {
		return nil, &ParamError{Key: "url", Err: err}
	}
	c := &httpCheck{name: name, url: raw}
	if c.warn, err = p.Duration("warn", time.Second); err != nil {
		return nil, err
	}
	if c.crit, err = p.Duration("crit", 0); err != nil {
		return nil, err
	}
	if c.crit != 0 && c.crit < c.warn {
		return nil, paramErr("crit", "%s is shorter than warn (%s)", c.crit, c.warn)
	}
	expect, err := p.Float("expect", 0)
	if err != nil {
		return nil, err
	}
	if expect != 0 && (expect != math.Trunc(expect) || expect < 100 || expect > 599) {
		return nil, paramErr("expect", "expected an HTTP status code 100..599, found %s", describeValue(p["expect"]))
	}
	c.expect = int(expect)
	if c.timeout, err = p.Duration("timeout", 10*time.Second); err != nil {
		return nil, err
	}
	if c.timeout <= 0 {
		return nil, paramErr("timeout", "expected a positive duration such as 10s, found %s", c.timeout)
	}
	return c, nil
}

// validHTTPURL accepts absolute http and https URLs with a host.
func validHTTPURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("required: the URL to fetch")
	}
	if strings.ContainsAny(raw, " \t\r\n\x00") {
		return fmt.Errorf("URL %q contains white space", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("expected an http:// or https:// URL, found %q", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("URL %q has no host", raw)
	}
	return nil
}

// Name is the configured name.
func (c *httpCheck) Name() string { return c.name }

// Command fetches the URL with curl (status, time and exit code on one
// line), or with wget (its server response and exit code) when curl is
// missing.
func (c *httpCheck) Command() string {
	secs := formatNumber(c.timeout.Seconds())
	u := shellQuote(c.url)
	return "LC_ALL=C; export LC_ALL; if command -v curl >/dev/null 2>&1; then " + markerLine("curl") +
		"; curl -sS -o /dev/null -w '%{http_code} %{time_total}' --max-time " + secs + " " + u + `; echo " $?"; ` +
		"elif command -v wget >/dev/null 2>&1; then " + markerLine("wget") +
		"; wget -S -O /dev/null -T " + secs + " -t 1 " + u + ` 2>&1; echo "rc=$?"; else ` +
		markerLine("nofetcher") + "; fi; " + markerLine(endSection)
}

// Evaluate classifies the response status and latency.
func (c *httpCheck) Evaluate(out Output) Result {
	ss, err := readSections(out)
	if err != nil {
		return unknownResult(err.Error())
	}
	if _, ok := ss.Get("nofetcher"); ok {
		return unknownResult("neither curl nor wget found on the host")
	}
	if sec, ok := ss.Get("curl"); ok {
		return c.evaluateCurl(sec, out)
	}
	if sec, ok := ss.Get("wget"); ok {
		return c.evaluateWget(sec, out)
	}
	return unknownResult("no fetch result in the output")
}

// evaluateCurl reads "CODE TIME EXIT".
func (c *httpCheck) evaluateCurl(sec section, out Output) Result {
	lines := sec.Lines()
	if len(lines) == 0 {
		return unknownResult("curl printed nothing" + exitNote(out))
	}
	f := strings.Fields(lines[len(lines)-1])
	if len(f) != 3 {
		return unknownResult(fmt.Sprintf("unexpected curl output %q", clipText(oneLine(lines[len(lines)-1]), 60)))
	}
	rc, err1 := strconv.Atoi(f[2])
	code, err2 := strconv.Atoi(f[0])
	// Old curl versions print the time with the locale's decimal comma.
	secs, err3 := strconv.ParseFloat(strings.Replace(f[1], ",", ".", 1), 64)
	if err1 != nil || err2 != nil || err3 != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) {
		return unknownResult(fmt.Sprintf("unexpected curl output %q", clipText(oneLine(lines[len(lines)-1]), 60)))
	}
	details := []string{"GET " + redactURL(c.url) + " with curl"}
	if e := strings.TrimSpace(pluginText(out.Stderr)); e != "" {
		details = append(details, "stderr:\n"+e)
	}
	latency := time.Duration(secs * float64(time.Second))
	metrics := []Metric{{Name: "time", Value: secs, Unit: "s", Warn: formatNumber(c.warn.Seconds())}}
	if c.crit > 0 {
		metrics[0].Crit = formatNumber(c.crit.Seconds())
	}
	if rc != 0 {
		res := Result{Status: Critical, Summary: curlFailure(rc, c.timeout) + curlStderrNote(out), Details: strings.Join(details, "\n"), Metrics: metrics}
		res.Reason = curlReason(rc)
		return res
	}
	if code == 0 {
		return Result{Status: Critical, Summary: "no HTTP response", Details: strings.Join(details, "\n"), Metrics: metrics, Reason: "http_fetch_failed"}
	}
	var fs findings
	codeStatus, reason := c.judgeStatus(&fs, code)
	slow := OK
	switch {
	case c.crit > 0 && latency >= c.crit:
		slow = Critical
		fs.Add(Critical, "slow: %s ≥ %s", formatLatency(secs), c.crit)
	case latency >= c.warn:
		slow = Warning
		fs.Add(Warning, "slow: %s ≥ %s", formatLatency(secs), c.warn)
	}
	if slow.Worse(codeStatus) {
		reason = "http_slow"
	}
	st, summary := fs.Verdict(fmt.Sprintf("HTTP %d in %s", code, formatLatency(secs)))
	if st != OK {
		summary = fmt.Sprintf("HTTP %d in %s: %s", code, formatLatency(secs), summary)
	}
	metrics = append([]Metric{{Name: "status", Value: float64(code)}}, metrics...)
	return Result{Status: st, Summary: summary, Details: strings.Join(details, "\n"), Metrics: metrics, Reason: reason}
}

// judgeStatus adds the finding about the response code and returns the
// status and reason it implies (OK and "" for a good code).
func (c *httpCheck) judgeStatus(fs *findings, code int) (Status, string) {
	switch {
	case c.expect != 0 && code != c.expect:
		fs.Add(Critical, "want status %d", c.expect)
		return Critical, "http_status"
	case c.expect != 0:
	case code >= 500:
		fs.Add(Critical, "server error")
		return Critical, "http_5xx"
	case code >= 400:
		fs.Add(Warning, "client error")
		return Warning, "http_4xx"
	case code < 100 || code > 599:
		fs.Add(Unknown, "not an HTTP status")
		return Unknown, "http_status"
	}
	return OK, ""
}

// curlReason is the reason of a fetch that curl could not complete.
func curlReason(rc int) string {
	switch rc {
	case 28:
		return "http_timeout"
	case 35, 51, 58, 59, 60, 77, 80, 83, 90, 91:
		return "http_tls"
	}
	return "http_fetch_failed"
}

// evaluateWget reads wget's server response ("  HTTP/1.1 200 OK", the last
// one wins after redirects) and "rc=EXIT".
func (c *httpCheck) evaluateWget(sec section, out Output) Result {
	code, rc := 0, -1
	var last string
	for _, l := range sec.Lines() {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "rc=") {
			if n, err := strconv.Atoi(strings.TrimPrefix(t, "rc=")); err == nil {
				rc = n
			}
			continue
		}
		if f := strings.Fields(t); len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
			if n, err := strconv.Atoi(f[1]); err == nil {
				code = n
			}
		}
		last = t
	}
	details := "GET " + redactURL(c.url) + " with wget (curl not found): latency not measured"
	if rc < 0 {
		return unknownResult("unexpected wget output: no exit status")
	}
	if code == 0 {
		summary := fmt.Sprintf("fetch failed (wget exit %d)", rc)
		if last != "" {
			summary += ": " + clipText(oneLine(last), 120)
		}
		return Result{Status: Critical, Summary: summary, Details: details, Reason: "http_fetch_failed"}
	}
	var fs findings
	_, reason := c.judgeStatus(&fs, code)
	st, summary := fs.Verdict(fmt.Sprintf("HTTP %d", code))
	if st != OK {
		summary = fmt.Sprintf("HTTP %d: %s", code, summary)
	}
	return Result{Status: st, Summary: summary, Details: details, Metrics: []Metric{{Name: "status", Value: float64(code)}}, Reason: reason}
}

// curlFailure names a curl exit code.
func curlFailure(rc int, timeout time.Duration) string {
	switch rc {
	case 6:
		return "could not resolve host"
	case 7:
		return "connection failed"
	case 28:
		return fmt.Sprintf("timed out after %s", timeout)
	case 35, 51, 58, 59, 60, 77, 80, 83, 90, 91:
		return fmt.Sprintf("TLS error (curl exit %d)", rc)
	case 52:
		return "empty reply from server"
	case 56:
		return "connection lost while receiving"
	}
	return fmt.Sprintf("fetch failed (curl exit %d)", rc)
}

// curlStderrNote is ": <first stderr line>" or "".
func curlStderrNote(out Output) string {
	if e := firstLine(out.Stderr, 120); e != "" {
		return ": " + oneLine(e)
	}
	return ""
}

// formatLatency writes seconds with millisecond precision.
func formatLatency(secs float64) string {
	return strconv.FormatFloat(secs, 'f', 3, 64) + "s"
}

// redactURL hides the password of a URL with credentials.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}
