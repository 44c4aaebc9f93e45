package puppetdbtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStopKillsTheProcessGroup starts a shell whose child outlives it (as
// postgres's backends and the JVM's helpers would) and checks that Stop
// leaves neither running and removes the directory.
func TestStopKillsTheProcessGroup(t *testing.T) {
	dir, err := os.MkdirTemp("", "puppetdbtest-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: dir}
	t.Cleanup(s.Stop)
	pidFile := filepath.Join(dir, "child.pid")
	s.pg, err = s.run("sh", nil, "/bin/sh", "-c", "sleep 300 & echo $! > "+pidFile+"; wait")
	if err != nil {
		t.Fatal(err)
	}
	var child int
	for deadline := time.Now().Add(10 * time.Second); child == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the shell did not start its child")
		}
		data, _ := os.ReadFile(pidFile)
		child, _ = strconv.Atoi(strings.TrimSpace(string(data)))
	}
	shell := s.pg.Cmd.Process.Pid
	s.Stop()
	select {
	case <-s.pg.Exited:
	default:
		t.Fatal("Stop returned before the shell exited")
	}
	// The child was reparented: it is gone once kill(pid, 0) fails (or,
	// a zombie not yet reaped, its state says so).
	for deadline := time.Now().Add(10 * time.Second); alive(child); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the shell's child %d outlived Stop", child)
		}
	}
	if alive(shell) {
		t.Errorf("the shell %d outlived Stop", shell)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left %s: %v", dir, err)
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(f) > 0 && f[0] != "Z"
}

func TestTimestampsIncrease(t *testing.T) {
	s := &Server{}
	prev := ""
	for range 1000 {
		ts := s.timestamp()
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", ts); err != nil {
			t.Fatalf("timestamp %q: %v", ts, err)
		}
		if ts <= prev {
			t.Fatalf("timestamp %q after %q: want a later one (a deactivation must follow its facts)", ts, prev)
		}
		prev = ts
	}
}

func TestWriteConfig(t *testing.T) {
	s := &Server{Dir: t.TempDir(), Port: 18080}
	conf := filepath.Join(s.Dir, "conf.d")
	if err := s.writeConfig(conf, 15432); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"conf.d/jetty.ini":    "host = 127.0.0.1\nport = 18080\n",
		"conf.d/database.ini": "subname = //127.0.0.1:15432/postgres\n",
		"conf.d/config.ini":   "vardir = " + filepath.Join(s.Dir, "var") + "\n",
		"conf.d/auth.conf":    `path: "/status/v1/services"`,
		"bootstrap.cfg":       "puppetlabs.puppetdb.cli.services/puppetdb-service\n",
		"logback.xml":         filepath.Join(s.Dir, "puppetdb.log"),
	} {
		data, err := os.ReadFile(filepath.Join(s.Dir, file))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("%s lacks %q:\n%s", file, want, data)
		}
	}
	// Plain HTTP only: no TLS listener is configured.
	data, _ := os.ReadFile(filepath.Join(conf, "jetty.ini"))
	if strings.Contains(string(data), "ssl-") {
		t.Errorf("jetty.ini configures TLS:\n%s", data)
	}
}
