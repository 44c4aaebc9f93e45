package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.yaml.in/yaml/v3"
)

// benchSim is a `fleetcheck sim` child process serving one scenario's fleet.
type benchSim struct {
	cmd   *exec.Cmd
	dir   string
	hosts []string // host names, in inventory order
	done  chan struct{}
}

// simStartTimeout bounds how long a fleet may take to come up.
const simStartTimeout = 2 * time.Minute

// startBenchSim starts `fleetcheck sim` for sc writing its files into dir,
// and returns once it serves.
func startBenchSim(ctx context.Context, binary, dir string, sc benchScenario) (*benchSim, error) {
	cmd := exec.Command(binary, "sim", "--hosts", strconv.Itoa(sc.Hosts), "--latency", sc.Latency.String(), "--dir", dir)
	cmd.Env = benchChildEnv(dir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("bench: sim: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: starting sim: %w", err)
	}
	s := &benchSim{cmd: cmd, dir: dir, done: make(chan struct{})}
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var tail []string
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			if !signalled && strings.Contains(line, "serving until interrupted") {
				ready <- nil
				signalled = true
			}
			if !signalled {
				tail = append(tail, line)
			}
		}
		if !signalled {
			ready <- fmt.Errorf("bench: sim exited before serving: %s", strings.Join(tail, "; "))
		}
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		close(s.done)
	}()
	t := time.NewTimer(simStartTimeout)
	defer t.Stop()
	select {
	case err = <-ready:
	case <-t.C:
		err = fmt.Errorf("bench: sim of %d hosts not serving after %v", sc.Hosts, simStartTimeout)
	case <-ctx.Done():
		err = fmt.Errorf("bench: %w", ctx.Err())
	}
	if err == nil {
		s.hosts, err = readInventoryNames(filepath.Join(dir, "inventory.yaml"))
	}
	if err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// stop interrupts the sim and waits for it (killing it after a while).
func (s *benchSim) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-s.done:
	case <-t.C:
		s.cmd.Process.Kill()
		<-s.done
	}
}

// cpu is the CPU time (user and system) the sim has used so far, read
// from /proc; 0 where that is not available.
func (s *benchSim) cpu() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are the
	// 14th and 15th fields of the whole line, in clock ticks (100 Hz on Linux).
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(u+st) * 10 * time.Millisecond
}

// readInventoryNames lists the host names of a sim inventory.
func readInventoryNames(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	var inv struct {
		Hosts []struct {
			Name string `yaml:"name"`
		} `yaml:"hosts"`
	}
	if err := yaml.Unmarshal(data, &inv); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", path, err)
	}
	names := make([]string, len(inv.Hosts))
	for i, h := range inv.Hosts {
		names[i] = h.Name
	}
	if len(names) == 0 {
		return nil, errors.New("bench: the sim inventory lists no hosts")
	}
	return names, nil
}

// benchChildEnv is the environment of every child: no agent, no user
// configuration, no colour; HOME is the scenario's directory so that no
// ~/.ssh or ~/.config file of the user takes part.
func benchChildEnv(dir string) []string {
	env := []string{"HOME=" + dir, "NO_COLOR=1", "FLEETCHECK_CONFIG=", "LC_ALL=C"}
	for _, k := range []string{"PATH", "TMPDIR", "GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// sysUsage is a finished child's rusage.
func sysUsage(ps *os.ProcessState) *syscall.Rusage {
	if ps == nil {
		return nil
	}
	ru, _ := ps.SysUsage().(*syscall.Rusage)
	return ru
}
