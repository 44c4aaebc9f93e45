package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// Commands are fleetcheck-bench's: the harness itself (Action) and the
// hidden children it runs as separate processes.
func Commands() (cli.ActionFunc, []cli.Flag, []*cli.Command) {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "hosts", Value: "100,1000,10000", Usage: "fleet sizes, `N[,N]`"},
		&cli.StringFlag{Name: "latency", Value: "0", Usage: "injected latencies, `D[,D]` (0, 20ms, 100ms)"},
		&cli.StringFlag{Name: "fanout", Value: "0", Usage: "sweep fanouts, `N[,N]` (0: the sweep's default)"},
		&cli.IntFlag{Name: "runs", Value: 3, Usage: "measured runs per scenario (the median is reported)"},
		&cli.BoolFlag{Name: "openssh", Usage: "also sweep each scenario with one ssh process per host (see --openssh-max-hosts)"},
		&cli.IntFlag{Name: "openssh-max-hosts", Value: 1000, Usage: "skip the OpenSSH side for fleets larger than this"},
		&cli.StringFlag{Name: "ssh", Value: "/usr/bin/ssh", Usage: "the OpenSSH client `PATH`"},
		&cli.BoolFlag{Name: "quick", Usage: "one scenario of 100 hosts, one run, OpenSSH included when --ssh exists (a smoke test)"},
		&cli.StringFlag{Name: "profile", Usage: "after the measured runs, one more profiled run per scenario writing CPU and heap profiles into `DIR`"},
		&cli.DurationFlag{Name: "run-timeout", Value: 3 * time.Minute, Usage: "give up on one run after this long"},
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: "table", Usage: "`FORMAT`: table or json (every run and the medians)"},
		&cli.StringFlag{Name: "binary", Usage: "the fleetcheck-bench `PATH` to run as the sweep child (default: this one)"},
		&cli.StringFlag{Name: "sim-binary", Usage: "the `PATH` to run as sim (default: --binary; a fleetcheck binary serves too), to compare sweeps of two builds against one fleet"},
	}
	return runBench, flags, []*cli.Command{sweepChildCommand(), sshChildCommand(), simCommand()}
}

// usageError is a bad command line: exit 64.
func usageError(format string, args ...any) error {
	return cli.Exit(fmt.Sprintf(format, args...), 64)
}

// benchScenario is one fleet and one sweep configuration to measure.
type benchScenario struct {
	Hosts   int           `json:"hosts"`
	Latency time.Duration `json:"latency_ns"`
	Fanout  int           `json:"fanout"` // 0: the sweep's default
}

// benchPlan is what one bench invocation does.
type benchPlan struct {
	scenarios       []benchScenario
	runs            int
	openssh         bool
	opensshMaxHosts int
	sshPath         string
	profileDir      string
	runTimeout      time.Duration
	binary          string
	simBinary       string
}

func runBench(c *cli.Context) error {
	plan, err := parseBenchPlan(c)
	if err != nil {
		return err
	}
	format := c.String("output")
	if format != "table" && format != "json" {
		return usageError("--output: want table or json, not %q", format)
	}
	env := benchEnvironment()
	fmt.Fprintf(c.App.ErrWriter, "bench: %s\n", env)
	var all []benchScenarioResult
	for _, sc := range plan.scenarios {
		res, err := benchOneScenario(c.Context, plan, sc, c.App.ErrWriter)
		if err != nil {
			return err
		}
		all = append(all, res)
	}
	if format == "json" {
		return writeBenchJSON(c.App.Writer, env, all)
	}
	return writeBenchTable(c.App.Writer, env, all)
}

// parseBenchPlan reads the flags into a plan.
func parseBenchPlan(c *cli.Context) (benchPlan, error) {
	p := benchPlan{
		runs: c.Int("runs"), openssh: c.Bool("openssh"), opensshMaxHosts: c.Int("openssh-max-hosts"),
		sshPath: c.String("ssh"), profileDir: c.String("profile"), runTimeout: c.Duration("run-timeout"),
		binary: c.String("binary"), simBinary: c.String("sim-binary"),
	}
	hosts, latencies, fanouts := c.String("hosts"), c.String("latency"), c.String("fanout")
	if c.Bool("quick") {
		hosts, latencies, fanouts, p.runs = "100", "0", "0", 1
		if _, err := os.Stat(p.sshPath); err == nil {
			p.openssh = true
		}
	}
	ns, err := parseIntList(hosts, 1)
	if err != nil {
		return p, usageError("--hosts: %v", err)
	}
	fs, err := parseIntList(fanouts, 0)
	if err != nil {
		return p, usageError("--fanout: %v", err)
	}
	var ls []time.Duration
	for _, s := range strings.Split(latencies, ",") {
		if s = strings.TrimSpace(s); s == "0" {
			ls = append(ls, 0)
			continue
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return p, usageError("--latency: bad duration %q", s)
		}
		ls = append(ls, d)
	}
	if p.runs < 1 {
		return p, usageError("--runs: want at least 1")
	}
	for _, n := range ns {
		for _, l := range ls {
			for _, f := range fs {
				p.scenarios = append(p.scenarios, benchScenario{Hosts: n, Latency: l, Fanout: f})
			}
		}
	}
	if p.binary == "" {
		if p.binary, err = os.Executable(); err != nil {
			return p, fmt.Errorf("bench: finding this binary: %w", err)
		}
	}
	if p.simBinary == "" {
		p.simBinary = p.binary
	}
	if p.profileDir != "" {
		if err := os.MkdirAll(p.profileDir, 0o755); err != nil {
			return p, fmt.Errorf("bench: %w", err)
		}
	}
	return p, nil
}

// parseIntList reads N[,N], each at least min.
func parseIntList(s string, min int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < min {
			return nil, fmt.Errorf("bad number %q (expected an integer ≥ %d)", f, min)
		}
		out = append(out, n)
	}
	return out, nil
}

// benchOneScenario serves the scenario's fleet and measures the runs.
func benchOneScenario(ctx context.Context, plan benchPlan, sc benchScenario, logw io.Writer) (benchScenarioResult, error) {
	res := benchScenarioResult{Scenario: sc}
	dir, err := os.MkdirTemp("", "fleetcheck-bench-")
	if err != nil {
		return res, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(logw, "bench: %d hosts, latency %v: starting fleetcheck sim\n", sc.Hosts, sc.Latency)
	sim, err := startBenchSim(ctx, plan.simBinary, dir, sc)
	if err != nil {
		return res, err
	}
	defer sim.stop()
	cfgPath := filepath.Join(dir, "bench-config.yaml")
	if err := os.WriteFile(cfgPath, []byte("{}\n"), 0o644); err != nil {
		return res, fmt.Errorf("bench: %w", err)
	}
	for i := range plan.runs {
		m, err := measureSweep(ctx, plan, sim, sc, cfgPath, "")
		if err != nil {
			return res, err
		}
		fmt.Fprintf(logw, "bench:   fleetcheck run %d: %s\n", i+1, m)
		res.Fleetcheck = append(res.Fleetcheck, m)
	}
	if plan.profileDir != "" {
		base := filepath.Join(plan.profileDir, fmt.Sprintf("n%d-lat%v-fanout%d", sc.Hosts, sc.Latency, sc.Fanout))
		if _, err := measureSweep(ctx, plan, sim, sc, cfgPath, base); err != nil {
			return res, err
		}
		fmt.Fprintf(logw, "bench:   profiles: %s.cpu.pprof, %s.heap.pprof\n", base, base)
	}
	if plan.openssh && sc.Hosts <= plan.opensshMaxHosts {
		for i := range plan.runs {
			m, err := measureOpenSSH(ctx, plan, sim, sc)
			if err != nil {
				return res, err
			}
			fmt.Fprintf(logw, "bench:   openssh run %d: %s\n", i+1, m)
			res.OpenSSH = append(res.OpenSSH, m)
		}
	}
	return res, nil
}
