package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// unlockpt unlocks the slave side of the pseudo-terminal master m.
func unlockpt(m *os.File) error { return unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0) }

// ptsNumber is the number of m's slave, /dev/pts/N.
func ptsNumber(m *os.File) (int, error) { return unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN) }

// pty opens a pseudo-terminal pair for the confirmation prompt tests.
func ptyPair(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	if err := unlockpt(m); err != nil {
		m.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	n, err := ptsNumber(m)
	if err != nil {
		m.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// The confirmation prompt lists the hosts folded; q aborts and Ctrl-C
// aborts, and nothing runs.
func TestExecConfirmationPrompt(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(*exec.Cmd, *os.File)
		code   int
	}{
		{"q", func(_ *exec.Cmd, m *os.File) { m.WriteString("q\n") }, exitUsage},
		{"ctrl-c", func(c *exec.Cmd, _ *os.File) { c.Process.Signal(syscall.SIGINT) }, exitInterrupted},
		{"wrong count", func(_ *exec.Cmd, m *os.File) { m.WriteString("2\n") }, exitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, flags := simFiles(t, 3)
			master, slave := ptyPair(t)
			cmd := exec.Command(binary, append(append([]string{"exec"}, flags...), "all", "--", "uptime")...)
			cmd.Stdin = slave
			cmd.Env = append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG=")
			prompt := readUntil(t, cmd, "or q to quit")
			if !strings.Contains(prompt, "node[00001-00003].sim.example.org") {
				t.Errorf("the prompt does not list the hosts folded: %q", prompt)
			}
			tc.answer(cmd, master)
			err := cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != tc.code {
				t.Errorf("exit %v, want %d; prompt %q", err, tc.code, prompt)
			}
			for _, h := range d.Hosts {
				if got := d.Sim.Execs(h.Name); len(got) != 0 {
					t.Errorf("%s ran %q though the prompt was not confirmed", h.Name, got)
				}
			}
		})
	}
}

// exec draws a progress bar on a terminal's stderr, as cumin does.
func TestExecProgressOnATerminal(t *testing.T) {
	_, flags := simFiles(t, 5)
	master, slave := ptyPair(t)
	cmd := exec.Command(binary, append(append([]string{"exec"}, flags...), "--force", "all", "--", "uptime")...)
	cmd.Stderr = slave
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FLEETCHECK_CONFIG=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	slave.Close()
	if err != nil {
		t.Fatalf("exec: %v", err)
	}
	drawn, _ := io.ReadAll(master) // ends with EIO once the slave side is closed
	if !strings.Contains(string(drawn), "5/5") {
		t.Errorf("no progress bar reaching 5/5 hosts on the terminal: %q", drawn)
	}
}
