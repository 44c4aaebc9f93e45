package health

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// SchemaName is the "schema" field of the JSON document and NDJSON summary.
const SchemaName = "fleetcheck.sweep/v1"

// timeLayout is RFC 3339 with milliseconds; times are written in UTC.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Encode writes the fleetcheck.sweep/v1 document of s (what -o json
// writes). Results are encoded and written one at a time, byte for byte as
// encoding jsonDoc whole would (indented by two spaces), so that a sweep of 10,000 hosts never holds
// its whole document, let alone twice (encoding/json indents into a
// second buffer).
func Encode(w io.Writer, s *Sweep) error {
	recs := SortedRecords(s.Results)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(newHead(s, Summarize(s))); err != nil {
		return fmt.Errorf("sweep/v1: encode: %w", err)
	}
	head, ok := bytes.CutSuffix(buf.Bytes(), []byte("\n}\n"))
	if !ok {
		return fmt.Errorf("sweep/v1: encode: unexpected head encoding")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(head)
	if len(recs) == 0 {
		bw.WriteString(",\n  \"results\": []\n}\n")
		return flushJSON(bw)
	}
	bw.WriteString(",\n  \"results\": [")
	enc.SetIndent("    ", "  ")
	for i, r := range recs {
		buf.Reset()
		if err := enc.Encode(newResult(r)); err != nil {
			return fmt.Errorf("sweep/v1: encode: %w", err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ]\n}\n")
	return flushJSON(bw)
}

// flushJSON flushes the document's buffer; a write error anywhere shows here.
func flushJSON(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sweep/v1: encode: %w", err)
	}
	return nil
}

// jsonDoc is the whole v1 document.
type jsonDoc struct {
	jsonHead
	Results []jsonResult `json:"results"`
}

// jsonHead is what the document and the NDJSON summary line share.
type jsonHead struct {
	Schema     string      `json:"schema"`
	StartedAt  string      `json:"started_at"`
	FinishedAt string      `json:"finished_at"`
	DurationMS int64       `json:"duration_ms"`
	Query      string      `json:"query"`
	Checks     []string    `json:"checks"`
	Complete   bool        `json:"complete"`
	Shard      *jsonShard  `json:"shard,omitempty"`
	Missing    []jsonShard `json:"missing_shards,omitempty"`
	Summary    jsonSummary `json:"summary"`
}

// jsonShard is a "shard" object: one share of a sharded sweep.
type jsonShard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// jsonSummary is the "summary" object.
type jsonSummary struct {
	Hosts             int                 `json:"hosts"`
	OK                int                 `json:"ok"`
	Warning           int                 `json:"warning"`
	Critical          int                 `json:"critical"`
	Unknown           int                 `json:"unknown"`
	Unreachable       int                 `json:"unreachable"`
	Results           int                 `json:"results"`
	ByTeam            map[string]jsonTeam `json:"by_team"`
	UnreachableByKind map[string]int      `json:"unreachable_by_kind"`
	// Added in v1 so that each count says what it counts (issue 17).
	HostsChecked    int        `json:"hosts_checked"`
	HostsByStatus   jsonCounts `json:"hosts_by_status"`
	ResultsByStatus jsonCounts `json:"results_by_status"`
}

// jsonTeam is one team's failures: results by status (the first four
// fields), how many results and hosts that is, and those hosts by their
// worst failure the team owns. Every field is a number, so that consumers
// reading by_team as a map of numbers keep working.
type jsonTeam struct {
	Warning          int `json:"warning"`
	Critical         int `json:"critical"`
	Unknown          int `json:"unknown"`
	Unreachable      int `json:"unreachable"`
	FailedResults    int `json:"failed_results"`
	FailedHosts      int `json:"failed_hosts"`
	HostsWarning     int `json:"hosts_warning"`
	HostsCritical    int `json:"hosts_critical"`
	HostsUnknown     int `json:"hosts_unknown"`
	HostsUnreachable int `json:"hosts_unreachable"`
}

// jsonCounts counts hosts or results by status.
type jsonCounts struct {
	OK int `json:"ok"`
	jsonFailCounts
}

// jsonFailCounts counts hosts or results by failed status.
type jsonFailCounts struct {
	Warning     int `json:"warning"`
	Critical    int `json:"critical"`
	Unknown     int `json:"unknown"`
	Unreachable int `json:"unreachable"`
}

// newFailCounts converts the failure counts of c.
func newFailCounts(c StatusCounts) jsonFailCounts {
	return jsonFailCounts{Warning: c.Warning, Critical: c.Critical, Unknown: c.Unknown, Unreachable: c.Unreachable}
}

// jsonResult is one result.
type jsonResult struct {
	Host       string       `json:"host"`
	Check      string       `json:"check"`
	Status     string       `json:"status"`
	Summary    string       `json:"summary"`
	Details    string       `json:"details"`
	Metrics    []jsonMetric `json:"metrics"`
	DurationMS int64        `json:"duration_ms"`
	ErrorKind  string       `json:"error_kind"`
	Reason     string       `json:"reason,omitempty"`
	Owner      *jsonOwner   `json:"owner"`
	SLA        string       `json:"sla,omitempty"`
}

// jsonOwner is a result's owner; null when no owners file is configured.
type jsonOwner struct {
	Team         string   `json:"team"`
	Rule         string   `json:"rule"`
	Unowned      bool     `json:"unowned"`
	ProductOwner string   `json:"product_owner"`
	AlsoNotify   []string `json:"also_notify"`
}

// jsonMetric is one metric; min and max are null when not known.
type jsonMetric struct {
	Name  string     `json:"name"`
	Value jsonFloat  `json:"value"`
	Unit  string     `json:"unit"`
	Warn  string     `json:"warn"`
	Crit  string     `json:"crit"`
	Min   *jsonFloat `json:"min"`
	Max   *jsonFloat `json:"max"`
}

// jsonFloat is a number that encodes NaN and infinities as null, which
// encoding/json would refuse.
type jsonFloat float64

// MarshalJSON writes the number, or null when it is not finite.
func (f jsonFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// MarshalResultLine encodes r as one NDJSON result line of the -o ndjson
// stream ({"type":"result",...}), newline-terminated.
func MarshalResultLine(r Record) ([]byte, error) {
	return marshalLine(ndjsonResult{Type: lineResult, jsonResult: newResult(r)})
}

// MarshalSummaryLine encodes the final NDJSON line of the -o ndjson stream
// ({"type":"summary",...}) for sweep s with summary sum, newline-terminated.
func MarshalSummaryLine(s *Sweep, sum Summary) ([]byte, error) {
	return marshalLine(ndjsonSummary{Type: lineSummary, jsonHead: newHead(s, sum)})
}

// The "type" of NDJSON lines.
const (
	lineResult  = "result"
	lineSummary = "summary"
)

// ndjsonResult is a result line: the JSON document's result plus its type.
type ndjsonResult struct {
	Type string `json:"type"`
	jsonResult
}

// ndjsonSummary is the final line.
type ndjsonSummary struct {
	Type string `json:"type"`
	jsonHead
}

// marshalLine encodes v compactly, without HTML escaping, newline-terminated.
func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newHead builds the document head from the sweep and its summary.
func newHead(s *Sweep, sum Summary) jsonHead {
	h := jsonHead{
		Schema:     SchemaName,
		StartedAt:  formatTime(s.Started),
		FinishedAt: formatTime(s.Finished),
		DurationMS: s.Elapsed().Milliseconds(),
		Query:      s.Query,
		Checks:     s.Checks,
		Complete:   s.Complete,
		Summary: jsonSummary{
			Hosts:             sum.Hosts,
			OK:                sum.HostStatus.OK,
			Warning:           sum.HostStatus.Warning,
			Critical:          sum.HostStatus.Critical,
			Unknown:           sum.HostStatus.Unknown,
			Unreachable:       sum.HostStatus.Unreachable,
			Results:           sum.Results.Total(),
			ByTeam:            map[string]jsonTeam{},
			UnreachableByKind: sum.UnreachableByKind,
			HostsChecked:      sum.Done,
			HostsByStatus:     jsonCounts{OK: sum.HostStatus.OK, jsonFailCounts: newFailCounts(sum.HostStatus)},
			ResultsByStatus:   jsonCounts{OK: sum.Results.OK, jsonFailCounts: newFailCounts(sum.Results)},
		},
	}
	if h.Checks == nil {
		h.Checks = []string{}
	}
	if s.Shard != nil {
		sh := jsonShard(*s.Shard)
		h.Shard = &sh
	}
	for _, m := range s.MissingShards {
		h.Missing = append(h.Missing, jsonShard(m))
	}
	if h.Summary.UnreachableByKind == nil {
		h.Summary.UnreachableByKind = map[string]int{}
	}
	for team, c := range sum.ByTeam {
		hosts := sum.ByTeamHosts[team]
		h.Summary.ByTeam[team] = jsonTeam{
			Warning: c.Warning, Critical: c.Critical, Unknown: c.Unknown, Unreachable: c.Unreachable,
			FailedResults: c.Failures(), FailedHosts: hosts.Total(),
			HostsWarning: hosts.Warning, HostsCritical: hosts.Critical, HostsUnknown: hosts.Unknown, HostsUnreachable: hosts.Unreachable,
		}
	}
	return h
}

// newResult converts one record.
func newResult(r Record) jsonResult {
	out := jsonResult{
		Host:       r.Host,
		Check:      r.Check,
		Status:     r.Status.String(),
		Summary:    r.Summary,
		Details:    r.Details,
		Metrics:    make([]jsonMetric, len(r.Metrics)),
		DurationMS: r.Duration.Milliseconds(),
		ErrorKind:  r.ErrorKind,
		Reason:     r.Reason,
	}
	for i, m := range r.Metrics {
		out.Metrics[i] = jsonMetric{
			Name: m.Name, Value: jsonFloat(m.Value), Unit: m.Unit, Warn: m.Warn, Crit: m.Crit,
			Min: optFloat(m.Min), Max: optFloat(m.Max),
		}
	}
	if o := r.Owner; o != nil {
		out.Owner = &jsonOwner{
			Team: o.Team, Rule: o.Rule, Unowned: o.Unowned, ProductOwner: o.ProductOwner,
			AlsoNotify: o.AlsoNotify,
		}
		if out.Owner.AlsoNotify == nil {
			out.Owner.AlsoNotify = []string{}
		}
		if o.SLA > 0 {
			out.SLA = o.SLA.String()
		}
	}
	return out
}

// optFloat converts an optional metric bound.
func optFloat(p *float64) *jsonFloat {
	if p == nil {
		return nil
	}
	f := jsonFloat(*p)
	return &f
}

// formatTime writes t in UTC as RFC 3339 with milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }
