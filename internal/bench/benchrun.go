package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/runner"
)

// benchMeasure is what one measured run of one client cost.
type benchMeasure struct {
	Wall     time.Duration `json:"wall_ns"`
	User     time.Duration `json:"user_cpu_ns"`
	Sys      time.Duration `json:"sys_cpu_ns"`
	MaxRSS   int64         `json:"max_rss_bytes"`
	Mallocs  uint64        `json:"mallocs"`     // fleetcheck only: heap allocations of the sweep process
	AllocB   uint64        `json:"alloc_bytes"` // fleetcheck only: bytes allocated in total
	SimCPU   time.Duration `json:"sim_cpu_ns"`  // CPU the fleet (server side) used during the run
	Hosts    int           `json:"hosts"`
	Results  int           `json:"results"` // fleetcheck: check results; openssh: hosts whose ssh ran the command
	NotOK    int           `json:"not_ok"`  // results not OK (fleetcheck) or ssh failures (exit 255)
	ExitCode int           `json:"exit_code"`
	// FirstError is the first failure the OpenSSH driver saw.
	FirstError string `json:"first_error,omitempty"`
}

// CPU is the client's user plus system time.
func (m benchMeasure) CPU() time.Duration { return m.User + m.Sys }

// String is one line for the progress log.
func (m benchMeasure) String() string {
	s := fmt.Sprintf("wall %v, %.0f hosts/s, CPU %.2f ms/host (user %v, sys %v), peak RSS %.1f MB, sim CPU %.2f ms/host, %d results, %d not OK",
		m.Wall.Round(time.Millisecond), perSecond(m.Hosts, m.Wall), msPerHost(m.CPU(), m.Hosts),
		m.User.Round(time.Millisecond), m.Sys.Round(time.Millisecond), float64(m.MaxRSS)/1e6,
		msPerHost(m.SimCPU, m.Hosts), m.Results, m.NotOK)
	if m.Mallocs > 0 {
		s += fmt.Sprintf(", %.0f allocs/host", float64(m.Mallocs)/float64(m.Hosts))
	}
	return s
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func msPerHost(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d) / float64(time.Millisecond) / float64(n)
}

// effectiveFanout is the parallelism a scenario's sweep runs at.
func effectiveFanout(sc benchScenario) int {
	if sc.Fanout > 0 {
		return sc.Fanout
	}
	return runner.DefaultFanout
}

// measureSweep runs one `fleetcheck sweep` of the whole sim fleet in a
// child process and measures it. With profileBase set, the child writes
// CPU and heap profiles next to it.
func measureSweep(ctx context.Context, plan benchPlan, sim *benchSim, sc benchScenario, cfgPath, profileBase string) (benchMeasure, error) {
	out := filepath.Join(sim.dir, "sweep.json")
	stats := filepath.Join(sim.dir, "sweep-stats.json")
	args := []string{"sweep-child", "--stats", stats}
	if profileBase != "" {
		args = append(args, "--cpuprofile", profileBase+".cpu.pprof", "--memprofile", profileBase+".heap.pprof")
	}
	args = append(args, "--config", cfgPath,
		"--inventory", filepath.Join(sim.dir, "inventory.yaml"), "--known-hosts", filepath.Join(sim.dir, "known_hosts"),
		"--output-file", out)
	if sc.Fanout > 0 {
		args = append(args, "--fanout", strconv.Itoa(sc.Fanout))
	}
	m, _, stderr, err := measureChild(ctx, plan, sim, args)
	if err != nil {
		return m, err
	}
	if m.ExitCode > 3 {
		return m, fmt.Errorf("bench: sweep exited %d: %s", m.ExitCode, lastLines(stderr, 5))
	}
	var st benchChildStats
	if err := readJSONFile(stats, &st); err != nil {
		return m, err
	}
	m.Mallocs, m.AllocB = st.Mallocs, st.TotalAlloc
	var doc struct {
		Complete bool `json:"complete"`
		Results  []struct {
			Status string `json:"status"`
		} `json:"results"`
	}
	if err := readJSONFile(out, &doc); err != nil {
		return m, err
	}
	if !doc.Complete {
		return m, fmt.Errorf("bench: sweep incomplete: %s", lastLines(stderr, 5))
	}
	m.Results = len(doc.Results)
	for _, r := range doc.Results {
		if r.Status != "OK" {
			m.NotOK++
		}
	}
	os.Remove(out)
	return m, nil
}

// measureOpenSSH sweeps the sim fleet with one ssh process per host, at
// the scenario's parallelism, from a child process whose rusage includes
// every ssh it ran.
func measureOpenSSH(ctx context.Context, plan benchPlan, sim *benchSim, sc benchScenario) (benchMeasure, error) {
	hostsFile := filepath.Join(sim.dir, "hosts.txt")
	if err := os.WriteFile(hostsFile, []byte(strings.Join(sim.hosts, "\n")+"\n"), 0o644); err != nil {
		return benchMeasure{}, fmt.Errorf("bench: %w", err)
	}
	line, err := defaultChecksLine()
	if err != nil {
		return benchMeasure{}, err
	}
	args := []string{"ssh-child", "--ssh", plan.sshPath, "--ssh-config", filepath.Join(sim.dir, "ssh_config"),
		"--fanout", strconv.Itoa(effectiveFanout(sc)), "--hosts-file", hostsFile, "--command", line}
	m, stdout, stderr, err := measureChild(ctx, plan, sim, args)
	if err != nil {
		return m, err
	}
	var st benchSSHStats
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		return m, fmt.Errorf("bench: ssh driver: %v: %s", err, lastLines(stderr, 5))
	}
	m.Results, m.NotOK, m.FirstError = st.Ran, st.Failed, st.FirstError
	return m, nil
}

// defaultChecksLine is the remote commands of the default checks as one
// shell line, the way a pssh or clush user would send them.
func defaultChecksLine() (string, error) {
	reg := checks.Builtins()
	var lines []string
	for _, n := range reg.Defaults() {
		ck, err := reg.New(n, n, checks.Params{})
		if err != nil {
			return "", fmt.Errorf("bench: check %s: %w", n, err)
		}
		lines = append(lines, ck.Command())
	}
	return strings.Join(lines, "\n"), nil
}

// measureChild runs the binary with args under the run timeout and
// returns its wall time, rusage and the sim's CPU over the same span.
func measureChild(ctx context.Context, plan benchPlan, sim *benchSim, args []string) (m benchMeasure, stdout, stderr string, err error) {
	m.Hosts = len(sim.hosts)
	ctx, cancel := context.WithTimeout(ctx, plan.runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, plan.binary, args...)
	cmd.Env = benchChildEnv(sim.dir)
	cmd.Dir = sim.dir
	var outBuf, errBuf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outBuf, &errBuf
	simCPU0 := sim.cpu()
	start := time.Now()
	err = cmd.Run()
	m.Wall = time.Since(start)
	m.SimCPU = sim.cpu() - simCPU0
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return m, "", errBuf.String(), fmt.Errorf("bench: run of %d hosts not done after %v", m.Hosts, plan.runTimeout)
	case errors.As(err, &ee):
		m.ExitCode = ee.ExitCode()
	case err != nil:
		return m, "", errBuf.String(), fmt.Errorf("bench: running %s: %w", plan.binary, err)
	}
	if ru := sysUsage(cmd.ProcessState); ru != nil {
		m.User = time.Duration(ru.Utime.Nano())
		m.Sys = time.Duration(ru.Stime.Nano())
		m.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return m, outBuf.String(), errBuf.String(), nil
}

// readJSONFile decodes a JSON file into v.
func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("bench: %s: %w", path, err)
	}
	return nil
}

// lastLines is the last n lines of s, joined with " | ".
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
