package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Proc is a long-running child process started for a test: in its own
// process group, with SIGKILL as its parent-death signal (it ends with the
// test binary even when that is killed), its output in a log file.
type Proc struct {
	Name   string
	Cmd    *exec.Cmd
	Log    string        // the file its output goes to
	Exited chan struct{} // closed when it has exited
	Err    error         // its exit status, once Exited is closed
}

// StartProc starts bin in dir as cred (nil: as this process), its output
// in dir/name.out.
func StartProc(dir, name string, cred *syscall.Credential, bin string, args ...string) (*Proc, error) {
	logPath := filepath.Join(dir, name+".out")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	defer f.Close()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &Proc{Name: name, Cmd: cmd, Log: logPath, Exited: make(chan struct{})}
	go func() {
		p.Err = cmd.Wait()
		close(p.Exited)
	}()
	return p, nil
}

// WaitLog waits at most limit until p's output holds want.
func (p *Proc) WaitLog(ctx context.Context, want string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		if data, _ := os.ReadFile(p.Log); bytes.Contains(data, []byte(want)) {
			return nil
		}
		if err := p.Wait(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// Wait sleeps for d, failing when ctx ends or p has exited (with the tail
// of its output).
func (p *Proc) Wait(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		data, _ := os.ReadFile(p.Log)
		return fmt.Errorf("%s not ready: %w\n%s", p.Name, ctx.Err(), Tail(data))
	case <-p.Exited:
		data, _ := os.ReadFile(p.Log)
		return fmt.Errorf("%s exited: %v\n%s", p.Name, p.Err, Tail(data))
	case <-time.After(d):
		return nil
	}
}

// Kill ends p's whole process group and waits (at most 30 s) for p to
// exit. Safe on nil and more than once.
func (p *Proc) Kill() {
	if p == nil {
		return
	}
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.Exited:
	case <-time.After(30 * time.Second):
	}
}

// FreePort returns a loopback TCP port free at the time of the call.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Tail returns the last 40 lines of out.
func Tail(out []byte) string {
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}
