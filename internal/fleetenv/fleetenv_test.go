package fleetenv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/config"
)

// A flag given on the command line wins over the configuration's default,
// which wins over the built-in one.
func TestRunnerConfigPrecedence(t *testing.T) {
	e := &Env{Config: &config.Config{Defaults: config.Defaults{Fanout: 32, Timeout: 5 * time.Second, GlobalTimeout: time.Minute, User: "ops"}}}
	flags := Conn{Fanout: 256, Timeout: 30 * time.Second, GlobalTimeout: 0, Set: map[string]bool{}}
	rc := e.RunnerConfig(flags)
	if rc.Fanout != 32 || rc.HostTimeout != 5*time.Second || rc.DefaultUser != "ops" || e.GlobalTimeout(flags) != time.Minute {
		t.Errorf("defaults: %+v, global %v; want the configuration's", rc, e.GlobalTimeout(flags))
	}
	flags.Fanout, flags.Timeout, flags.User = 8, time.Second, "me"
	flags.Set = map[string]bool{"fanout": true, "timeout": true, "global-timeout": true}
	rc = e.RunnerConfig(flags)
	if rc.Fanout != 8 || rc.HostTimeout != time.Second || rc.DefaultUser != "me" || e.GlobalTimeout(flags) != 0 {
		t.Errorf("flags: %+v, global %v; want the flags'", rc, e.GlobalTimeout(flags))
	}
}

// An unknown -c name and a query syntax error are the command line's
// fault (UsageError); an unknown alias is the inventory's.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	inv := filepath.Join(dir, "hosts.yaml")
	if err := os.WriteFile(inv, []byte("hosts:\n  - name: web01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := Load(Inputs{Inventory: []string{inv}}, func(string) string { return "" }, dir)
	if err != nil {
		t.Fatal(err)
	}
	var ue *UsageError
	if _, err := e.Checks(context.Background(), []string{"nope"}); !errors.As(err, &ue) {
		t.Errorf("unknown check: %v, want a UsageError", err)
	}
	if _, err := e.Select(context.Background(), "role=web and ("); !errors.As(err, &ue) {
		t.Errorf("query syntax: %v, want a UsageError", err)
	}
	if _, err := e.Select(context.Background(), "A:nope"); err == nil || errors.As(err, &ue) {
		t.Errorf("unknown alias: %v, want an error that is not a UsageError", err)
	}
	if hosts, err := e.Select(context.Background(), "all"); err != nil || len(hosts) != 1 {
		t.Errorf("all: %v %v", hosts, err)
	}
}
