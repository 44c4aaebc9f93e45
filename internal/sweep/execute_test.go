package sweep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
)

// recorder is a Sink and HostWatcher that writes down what it hears.
type recorder struct {
	events   []string
	hosts    []string
	failErr  error  // returned by Record
	onRecord func() // called on each record, when set
	endErr   error  // ctx.Err() at End
}

func (r *recorder) Begin(_ context.Context, s *health.Sweep) error {
	r.events = append(r.events, fmt.Sprintf("begin %q %v %d", s.Query, s.Checks, s.Hosts))
	return nil
}

func (r *recorder) Record(_ context.Context, rec health.Record) error {
	r.events = append(r.events, "record "+rec.Host+"/"+rec.Check+" "+rec.Status.String())
	if r.onRecord != nil {
		r.onRecord()
	}
	return r.failErr
}

func (r *recorder) End(ctx context.Context, s *health.Sweep) error {
	r.endErr = ctx.Err()
	r.events = append(r.events, fmt.Sprintf("end complete=%v results=%d", s.Complete, len(s.Results)))
	return nil
}

func (r *recorder) HostDone(host string, failed bool) {
	r.hosts = append(r.hosts, fmt.Sprintf("%s:%v", host, failed))
}

// fleetJob plans disk and load on hosts a..d; c's disk is full.
func fleetJob(names ...string) Job {
	var hosts []inventory.Host
	for _, n := range names {
		hosts = append(hosts, inventory.Host{Name: n})
	}
	cks := []Check{{Check: fakeCheck{"disk"}}, {Check: fakeCheck{"load"}}}
	r := fakeRunner(func(t runner.Task) runner.HostOutput {
		disk := "ok"
		if t.Host.Name == "c" {
			disk = "full"
		}
		return runner.HostOutput{Host: t.Host, Commands: []runner.CommandOutput{
			{ID: "disk", Stdout: []byte(disk)}, {ID: "load", Stdout: []byte("ok")}}}
	})
	return Job{Query: "all", Hosts: len(hosts), Tasks: Plan(hosts, cks), Checks: cks, Runner: r,
		Owners: teamOf{"a": "web", "b": "web", "c": "db", "d": "web"}}
}

func TestExecuteStreamsToSinks(t *testing.T) {
	job := fleetJob("a", "b", "c")
	rec := &recorder{}
	job.Sinks = []Sink{rec}
	out, err := Execute(context.Background(), job)
	if err != nil {
		t.Fatal(err)
	}
	want := `begin "all" [disk load] 3|record a/disk OK|record a/load OK|record b/disk OK|record b/load OK|` +
		`record c/disk CRITICAL|record c/load OK|end complete=true results=0`
	if got := strings.Join(rec.events, "|"); got != want {
		t.Errorf("events\n%s\nwant\n%s", got, want)
	}
	if got := strings.Join(rec.hosts, " "); got != "a:false b:false c:true" {
		t.Errorf("hosts done %s", got)
	}
	if out.Worst != health.Critical || out.Ending != health.Finished || out.ExitCode() != 2 || out.Cause != nil || !out.Sweep.Complete {
		t.Errorf("outcome %+v, exit %d", out, out.ExitCode())
	}
}

// With --team only the team's records (its OK ones too, so that its counts
// cover its hosts) reach the sinks and the exit code, but every host finished counts for progress (issue 17: the bar stayed at
// 0/N with --team).
func TestExecuteTeamFilter(t *testing.T) {
	for _, tc := range []struct {
		team, records, hosts string
		exit                 int
	}{
		{"db", "record c/disk CRITICAL|record c/load OK", "a:false b:false c:true d:false", 2},
		{"web", "record a/disk OK|record a/load OK|record b/disk OK|record b/load OK|record d/disk OK|record d/load OK", "a:false b:false c:false d:false", 0},
		{"nobody", "", "a:false b:false c:false d:false", 0},
	} {
		t.Run(tc.team, func(t *testing.T) {
			job := fleetJob("a", "b", "c", "d")
			job.Team = tc.team
			rec := &recorder{}
			job.Sinks = []Sink{rec}
			out, err := Execute(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(rec.events[1:len(rec.events)-1], "|")
			if got != tc.records {
				t.Errorf("records %q, want %q", got, tc.records)
			}
			if got := strings.Join(rec.hosts, " "); got != tc.hosts {
				t.Errorf("hosts done %s, want %s", got, tc.hosts)
			}
			if out.ExitCode() != tc.exit {
				t.Errorf("exit %d, want %d", out.ExitCode(), tc.exit)
			}
		})
	}
}

// The progress bar counts every host with --team too.
func TestExecuteProgressCountsEveryHostWithTeam(t *testing.T) {
	job := fleetJob("a", "b", "c", "d")
	job.Team = "db"
	var buf bytes.Buffer
	p := report.NewProgress(&buf, len(job.Tasks))
	bar := ProgressSink(p)
	if _, ok := bar.(HostWatcher); !ok {
		t.Fatal("ProgressSink does not watch hosts")
	}
	job.Sinks = []Sink{bar}
	if _, err := Execute(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if done, failed := p.Done(); done != 4 || failed != 1 {
		t.Errorf("progress %d done, %d failed; want 4 and 1", done, failed)
	}
}

// hangingRunner answers the first task, then waits for the end of ctx and
// reports the others canceled, as runner.Runner does.
type hangingRunner struct{}

func (hangingRunner) Run(ctx context.Context, tasks []runner.Task, out chan<- runner.HostOutput) error {
	defer close(out)
	out <- runner.HostOutput{Host: tasks[0].Host, Commands: []runner.CommandOutput{{ID: "disk", Stdout: []byte("ok")}, {ID: "load", Stdout: []byte("ok")}}}
	<-ctx.Done()
	for _, t := range tasks[1:] {
		out <- runner.HostOutput{Host: t.Host, Err: ctx.Err(), Kind: runner.KindCanceled}
	}
	return ctx.Err()
}

// A sweep cut by the global timeout after healthy hosts exits 3, never 0;
// an interrupted one exits 130.
func TestExecuteIncomplete(t *testing.T) {
	t.Run("cut by the global timeout", func(t *testing.T) {
		job := fleetJob("a", "b", "c")
		job.Runner, job.GlobalTimeout = hangingRunner{}, 20*time.Millisecond
		out, err := Execute(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		if out.Sweep.Complete || out.Ending != health.Cut || out.Worst != health.OK || out.ExitCode() != 3 ||
			!errors.Is(out.Cause, context.DeadlineExceeded) {
			t.Errorf("outcome %+v, exit %d; want incomplete, cut, worst OK, exit 3", out, out.ExitCode())
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		job := fleetJob("a", "b", "c")
		job.Runner = hangingRunner{}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rec := &recorder{onRecord: cancel} // Ctrl-C once the first host is in
		job.Sinks = []Sink{rec}
		out, err := Execute(ctx, job)
		if err != nil {
			t.Fatal(err)
		}
		if out.Sweep.Complete || out.Ending != health.Interrupted || out.ExitCode() != 130 {
			t.Errorf("outcome %+v, exit %d; want interrupted, exit 130", out, out.ExitCode())
		}
		if !strings.HasPrefix(rec.events[len(rec.events)-1], "end complete=false") || rec.endErr != nil {
			t.Errorf("last event %q, ctx at End %v: the sinks must still write an interrupted sweep", rec.events[len(rec.events)-1], rec.endErr)
		}
		if got := rec.hosts; len(got) != 3 {
			t.Errorf("hosts done %v: canceled hosts finish too", got)
		}
	})
}

// A sink that fails stops the sweep; the error comes back and End is not
// called.
func TestExecuteSinkError(t *testing.T) {
	job := fleetJob("a", "b", "c")
	rec := &recorder{failErr: errors.New("disk full")}
	job.Sinks = []Sink{rec}
	_, err := Execute(context.Background(), job)
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want disk full", err)
	}
	if last := rec.events[len(rec.events)-1]; strings.HasPrefix(last, "end") || len(rec.events) != 2 {
		t.Errorf("events %v: want begin and one record", rec.events)
	}
}

// An NDJSON-only sweep keeps no records (memory flat); any other format
// adds the one sink that keeps them.
func TestOutputsKeepRecordsOnlyForFinalFormats(t *testing.T) {
	for _, tc := range []struct {
		formats []string
		keeps   bool
	}{
		{[]string{"ndjson"}, false},
		{[]string{"ndjson", "ndjson"}, false},
		{[]string{"ndjson", "json"}, true},
		{[]string{"table", "prometheus"}, true},
	} {
		var outs []Output
		for _, f := range tc.formats {
			outs = append(outs, Output{Format: f})
		}
		o, err := NewOutputs(outs, &bytes.Buffer{}, report.FormatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		keeps := 0
		for _, s := range o.Sinks {
			if _, ok := s.(*collectSink); ok {
				keeps++
			}
		}
		if keeps != map[bool]int{false: 0, true: 1}[tc.keeps] {
			t.Errorf("%v: %d sinks keep records, want keeping %v", tc.formats, keeps, tc.keeps)
		}
	}
}

// Outputs write what the formats render: NDJSON streamed to a file renamed
// into place, JSON rendered at the end on stdout.
func TestOutputsWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sweep.ndjson")
	var stdout bytes.Buffer
	o, err := NewOutputs([]Output{{Format: "ndjson", File: path}, {Format: "json"}}, &stdout, report.FormatOptions{Color: true})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Abort()
	job := fleetJob("a", "b", "c")
	job.Sinks = o.Sinks
	if _, err := Execute(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	doc, err := health.Decode(&stdout)
	if err != nil || len(doc.Results) != 6 || !doc.Complete {
		t.Fatalf("stdout: %v, %+v", err, doc)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	stream, err := health.Decode(f)
	if err != nil || len(stream.Results) != 6 {
		t.Fatalf("ndjson file: %v, %+v", err, stream)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the output directory, want only the NDJSON file", len(entries))
	}
}

func TestOutputsErrors(t *testing.T) {
	if _, err := NewOutputs([]Output{{Format: "yaml"}}, &bytes.Buffer{}, report.FormatOptions{}); err == nil || !strings.Contains(err.Error(), `unknown output format "yaml"`) {
		t.Errorf("unknown format: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "no", "such", "dir", "x.ndjson")
	if _, err := NewOutputs([]Output{{Format: "ndjson", File: bad}}, &bytes.Buffer{}, report.FormatOptions{}); err == nil || !strings.HasPrefix(err.Error(), "output file: ") {
		t.Errorf("uncreatable file: %v", err)
	}
}
