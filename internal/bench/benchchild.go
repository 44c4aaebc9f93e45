package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/demo"
	"github.com/fleetcheck/fleetcheck/internal/fleetenv"
	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/report"
	"github.com/fleetcheck/fleetcheck/runner"
	"github.com/urfave/cli/v2"
)

// benchChildStats is what the sweep child reports of its own Go runtime.
type benchChildStats struct {
	Mallocs    uint64 `json:"mallocs"`
	TotalAlloc uint64 `json:"total_alloc_bytes"`
	HeapSys    uint64 `json:"heap_sys_bytes"`
	NumGC      uint32 `json:"num_gc"`
	PauseNs    uint64 `json:"gc_pause_total_ns"`
}

// sweepChildCommand sweeps the sim fleet in this process through the
// pipeline `fleetcheck sweep -o json --output-file` runs (fleetenv,
// internal/sweep, runner, report), then writes the runtime's allocation
// counts (and, if asked, CPU and heap profiles): the bench measures its
// sweeps through it.
func sweepChildCommand() *cli.Command {
	return &cli.Command{
		Name:   "sweep-child",
		Hidden: true,
		Usage:  "sweep every host of --inventory with the default checks and record the allocations and profiles",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Usage: "configuration `FILE`"},
			&cli.StringFlag{Name: "inventory", Required: true, Usage: "inventory `FILE`"},
			&cli.StringFlag{Name: "known-hosts", Required: true, Usage: "known_hosts `FILE`"},
			&cli.IntFlag{Name: "fanout", Value: runner.DefaultFanout, Usage: "hosts in parallel"},
			&cli.StringFlag{Name: "output-file", Required: true, Usage: "write the JSON document to `FILE`"},
			&cli.StringFlag{Name: "stats", Usage: "write allocation counts as JSON to `FILE`"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to `FILE`"},
			&cli.StringFlag{Name: "memprofile", Usage: "write an allocation (heap) profile to `FILE`"},
		},
		Action: runSweepChild,
	}
}

func runSweepChild(c *cli.Context) error {
	if path := c.String("cpuprofile"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpuprofile: %w", err)
		}
	}
	err := sweepOnce(c.Context, c.String("config"), c.String("inventory"), c.String("known-hosts"), c.Int("fanout"), c.String("output-file"))
	if c.String("cpuprofile") != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	if path := c.String("memprofile"); path != "" {
		if err := writeAllocProfile(path); err != nil {
			return err
		}
	}
	if path := c.String("stats"); path != "" {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := benchChildStats{Mallocs: ms.Mallocs, TotalAlloc: ms.TotalAlloc, HeapSys: ms.HeapSys, NumGC: ms.NumGC, PauseNs: ms.PauseTotalNs}
		data, _ := json.Marshal(st)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
	}
	return nil
}

// sweepOnce sweeps every host of the inventory with the default checks
// and writes the JSON document to out.
func sweepOnce(ctx context.Context, cfg, inv, knownHosts string, fanout int, out string) error {
	e, err := fleetenv.Load(fleetenv.Inputs{Config: cfg, Inventory: []string{inv}, KnownHosts: []string{knownHosts}, SSHConfig: "none"}, os.Getenv, "")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	hosts, err := e.Select(ctx, "all")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	cks, err := e.Checks(ctx, nil)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r, err := runner.New(runner.Config{Fanout: fanout, SSHConfigPath: "none", KnownHosts: e.Config.KnownHosts, UseAgent: true})
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	s := &report.Sweep{Query: "all", Hosts: len(hosts), Started: time.Now()}
	for _, ck := range cks {
		s.Checks = append(s.Checks, ck.Check.Name())
	}
	records := make(chan report.Record, 256)
	errc := make(chan error, 1)
	go func() { errc <- sweep.Run(ctx, r, sweep.Plan(hosts, cks), cks, nil, records) }()
	for rec := range records {
		s.Results = append(s.Results, rec)
	}
	runErr := <-errc
	s.Finished, s.Complete = time.Now(), runErr == nil
	return report.WriteFileAtomic(out, func(w io.Writer) error { return report.JSON(w, s) })
}

// writeAllocProfile writes the allocation profile (in-use and allocated
// space and objects) to path.
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memprofile: %w", err)
	}
	runtime.GC()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("memprofile: %w", err)
	}
	return f.Close()
}

// benchSSHStats is what the OpenSSH driver reports on stdout.
type benchSSHStats struct {
	Ran         int    `json:"ran"`    // ssh connected and ran the command (any remote exit status)
	Failed      int    `json:"failed"` // ssh itself failed (exit 255, or could not start)
	StdoutBytes int64  `json:"stdout_bytes"`
	FirstError  string `json:"first_error,omitempty"`
}

// sshChildCommand sweeps hosts with one OpenSSH `ssh` process per
// host at a fixed parallelism, the way pssh and clush do; the bench
// measures its rusage, which includes every ssh it ran.
func sshChildCommand() *cli.Command {
	return &cli.Command{
		Name:   "ssh-child",
		Hidden: true,
		Usage:  "run `ssh -F CONFIG HOST COMMAND` for every host of --hosts-file, --fanout at a time",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "ssh", Value: "/usr/bin/ssh", Usage: "the ssh client"},
			&cli.StringFlag{Name: "ssh-config", Required: true, Usage: "ssh_config `FILE` (-F)"},
			&cli.IntFlag{Name: "fanout", Value: 64, Usage: "ssh processes at once"},
			&cli.StringFlag{Name: "hosts-file", Required: true, Usage: "host names, one a line"},
			&cli.StringFlag{Name: "command", Required: true, Usage: "the remote command line"},
		},
		Action: runSSHChild,
	}
}

func runSSHChild(c *cli.Context) error {
	hosts, err := readLines(c.String("hosts-file"))
	if err != nil {
		return err
	}
	fanout := c.Int("fanout")
	if fanout < 1 {
		return usageError("--fanout: want at least 1")
	}
	var (
		mu    sync.Mutex
		st    benchSSHStats
		wg    sync.WaitGroup
		slots = make(chan struct{}, fanout)
	)
	for _, h := range hosts {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			cmd := exec.CommandContext(c.Context, c.String("ssh"), "-F", c.String("ssh-config"), h, c.String("command"))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			failed := err != nil && (!errors.As(err, &ee) || ee.ExitCode() == 255)
			mu.Lock()
			defer mu.Unlock()
			st.StdoutBytes += int64(stdout.Len())
			if !failed {
				st.Ran++
				return
			}
			st.Failed++
			if st.FirstError == "" {
				st.FirstError = fmt.Sprintf("%s: %v: %s", h, err, strings.TrimSpace(stderr.String()))
			}
		})
	}
	wg.Wait()
	return json.NewEncoder(c.App.Writer).Encode(st)
}

// readLines returns the non-empty lines of a file.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}

// simCommand serves a simulated fleet, as `fleetcheck sim` does.
func simCommand() *cli.Command {
	return &cli.Command{
		Name:   "sim",
		Hidden: true,
		Usage:  "serve a simulated fleet until interrupted (as fleetcheck sim)",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "hosts", Value: 1000, Usage: "number of simulated hosts"},
			&cli.DurationFlag{Name: "latency", Usage: "delay injected per SSH message exchange"},
			&cli.StringFlag{Name: "dir", Usage: "where to write the files"},
		},
		Action: func(c *cli.Context) error {
			o := demo.ServeOptions{Hosts: c.Int("hosts"), Latency: c.Duration("latency"), Healthy: 1, Dir: c.String("dir")}
			if o.Hosts < 1 {
				return usageError("--hosts: want at least 1, got %d", o.Hosts)
			}
			return demo.Serve(c.Context, o, c.App.ErrWriter)
		},
	}
}
