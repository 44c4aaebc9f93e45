package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"

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

// benchSweepChildCommand runs a fleetcheck command line in this process
// and then writes the runtime's allocation counts (and, if asked, CPU and
// heap profiles): the bench runs its sweeps through it.
func benchSweepChildCommand() *cli.Command {
	return &cli.Command{
		Name:      "sweep-child",
		Hidden:    true,
		Usage:     "run `-- ARGS` (a fleetcheck command line) and record its allocations and profiles",
		ArgsUsage: "-- ARGS...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "stats", Usage: "write allocation counts as JSON to `FILE`"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to `FILE`"},
			&cli.StringFlag{Name: "memprofile", Usage: "write an allocation (heap) profile to `FILE`"},
		},
		Action: runBenchSweepChild,
	}
}

func runBenchSweepChild(c *cli.Context) error {
	args := c.Args().Slice()
	if len(args) == 0 {
		return usageError("bench sweep-child: no command line after --")
	}
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
	app := newApp(c.App.Reader, c.App.Writer, c.App.ErrWriter)
	code := exitCode(app.RunContext(c.Context, append([]string{"fleetcheck"}, args...)), c.App.ErrWriter)
	if c.String("cpuprofile") != "" {
		pprof.StopCPUProfile()
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
	if code != 0 {
		return cli.Exit("", code)
	}
	return nil
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

// benchSSHChildCommand sweeps hosts with one OpenSSH `ssh` process per
// host at a fixed parallelism, the way pssh and clush do; the bench
// measures its rusage, which includes every ssh it ran.
func benchSSHChildCommand() *cli.Command {
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
		Action: runBenchSSHChild,
	}
}

func runBenchSSHChild(c *cli.Context) error {
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
