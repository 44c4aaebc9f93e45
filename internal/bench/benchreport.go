package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// benchScenarioResult is every run of one scenario.
type benchScenarioResult struct {
	Scenario   benchScenario  `json:"scenario"`
	Fleetcheck []benchMeasure `json:"fleetcheck"`
	OpenSSH    []benchMeasure `json:"openssh,omitempty"`
}

// benchSummary is the medians of a client's runs of one scenario.
type benchSummary struct {
	Runs          int     `json:"runs"`
	WallSeconds   float64 `json:"wall_s"`
	HostsPerSec   float64 `json:"hosts_per_s"`
	CPUMsPerHost  float64 `json:"cpu_ms_per_host"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	AllocsPerHost float64 `json:"allocs_per_host,omitempty"`
	KBPerHost     float64 `json:"alloc_kb_per_host,omitempty"`
	SimCPUMsHost  float64 `json:"sim_cpu_ms_per_host"`
	NotOK         int     `json:"not_ok"` // the largest count of any run
}

// median is the median of xs (the mean of the middle two for even counts).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// summarize takes the median of each metric over the runs.
func summarize(runs []benchMeasure) benchSummary {
	pick := func(f func(benchMeasure) float64) float64 {
		xs := make([]float64, len(runs))
		for i, m := range runs {
			xs[i] = f(m)
		}
		return median(xs)
	}
	s := benchSummary{
		Runs:         len(runs),
		WallSeconds:  pick(func(m benchMeasure) float64 { return m.Wall.Seconds() }),
		HostsPerSec:  pick(func(m benchMeasure) float64 { return perSecond(m.Hosts, m.Wall) }),
		CPUMsPerHost: pick(func(m benchMeasure) float64 { return msPerHost(m.CPU(), m.Hosts) }),
		PeakRSSMB:    pick(func(m benchMeasure) float64 { return float64(m.MaxRSS) / 1e6 }),
		SimCPUMsHost: pick(func(m benchMeasure) float64 { return msPerHost(m.SimCPU, m.Hosts) }),
		AllocsPerHost: pick(func(m benchMeasure) float64 {
			return float64(m.Mallocs) / float64(max(m.Hosts, 1))
		}),
		KBPerHost: pick(func(m benchMeasure) float64 { return float64(m.AllocB) / 1024 / float64(max(m.Hosts, 1)) }),
	}
	for _, m := range runs {
		s.NotOK = max(s.NotOK, m.NotOK)
	}
	return s
}

// benchEnvironment describes the machine and its load.
func benchEnvironment() string {
	load := "unknown"
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(data)); len(f) >= 3 {
			load = strings.Join(f[:3], " ")
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs, %s, load average %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), load, time.Now().UTC().Format(time.RFC3339))
}

// writeBenchTable prints the medians, one row per client and scenario,
// and the OpenSSH ratios.
func writeBenchTable(w io.Writer, env string, all []benchScenarioResult) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "client\thosts\tlatency\tfanout\truns\twall s\thosts/s\tCPU ms/host\tpeak RSS MB\tallocs/host\tKB alloc/host\tsim CPU ms/host\tnot OK\t")
	row := func(client string, sc benchScenario, s benchSummary) {
		allocs, kb := "-", "-"
		if s.AllocsPerHost > 0 {
			allocs, kb = fmt.Sprintf("%.0f", s.AllocsPerHost), fmt.Sprintf("%.0f", s.KBPerHost)
		}
		fmt.Fprintf(tw, "%s\t%d\t%v\t%d\t%d\t%.2f\t%.0f\t%.3f\t%.1f\t%s\t%s\t%.3f\t%d\t\n",
			client, sc.Hosts, sc.Latency, effectiveFanout(sc), s.Runs, s.WallSeconds, s.HostsPerSec,
			s.CPUMsPerHost, s.PeakRSSMB, allocs, kb, s.SimCPUMsHost, s.NotOK)
	}
	for _, r := range all {
		row("fleetcheck", r.Scenario, summarize(r.Fleetcheck))
		if len(r.OpenSSH) > 0 {
			row("openssh", r.Scenario, summarize(r.OpenSSH))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range all {
		if len(r.OpenSSH) == 0 {
			continue
		}
		f, o := summarize(r.Fleetcheck), summarize(r.OpenSSH)
		fmt.Fprintf(w, "openssh / fleetcheck at %d hosts, latency %v, fanout %d: client CPU %.1fx, wall %.2fx\n",
			r.Scenario.Hosts, r.Scenario.Latency, effectiveFanout(r.Scenario), ratio(o.CPUMsPerHost, f.CPUMsPerHost), ratio(o.WallSeconds, f.WallSeconds))
		for _, m := range r.OpenSSH {
			if m.FirstError != "" {
				fmt.Fprintf(w, "  openssh failures (%d), first: %s\n", m.NotOK, m.FirstError)
				break
			}
		}
	}
	fmt.Fprintf(w, "medians of the runs; openssh's peak RSS is its largest single process (driver or one ssh), not the sum of the ssh processes; %s\n", env)
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// writeBenchJSON writes every run and the medians.
func writeBenchJSON(w io.Writer, env string, all []benchScenarioResult) error {
	type scenarioJSON struct {
		benchScenarioResult
		FleetcheckMedian benchSummary  `json:"fleetcheck_median"`
		OpenSSHMedian    *benchSummary `json:"openssh_median,omitempty"`
	}
	doc := struct {
		Environment string         `json:"environment"`
		Scenarios   []scenarioJSON `json:"scenarios"`
	}{Environment: env}
	for _, r := range all {
		s := scenarioJSON{benchScenarioResult: r, FleetcheckMedian: summarize(r.Fleetcheck)}
		if len(r.OpenSSH) > 0 {
			o := summarize(r.OpenSSH)
			s.OpenSSHMedian = &o
		}
		doc.Scenarios = append(doc.Scenarios, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
