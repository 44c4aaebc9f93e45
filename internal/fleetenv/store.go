package fleetenv

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/state"
)

// StatePath is the state store that flag (--state) names, else the
// configuration's state:; "" when neither names one.
func (e *Env) StatePath(flag string) string {
	return cmp.Or(flag, e.Config.State)
}

// RequireStore opens the store StatePath(flag) names, which the command
// needs: none named is a UsageError; mustExist refuses an SQLite file
// that does not exist yet (a command that reads what sweeps recorded).
func (e *Env) RequireStore(ctx context.Context, flag string, mustExist bool) (*state.DB, error) {
	path := e.StatePath(flag)
	if path == "" {
		return nil, usagef("no state store: give --state FILE or state: in the config")
	}
	if mustExist && !strings.Contains(path, "://") {
		if _, err := os.Stat(path); err != nil {
			return nil, &ConfigError{fmt.Errorf("state %s: %v (record sweeps with sweep --state first)", path, err)}
		}
	}
	return OpenStore(ctx, path)
}

// OpenStore opens the state store at path, an SQLite file or a
// postgres:// URL: any other URL is a UsageError; a store that cannot be
// opened is a ConfigError; a locked one waits
// the busy timeout.
func OpenStore(ctx context.Context, path string) (*state.DB, error) {
	if strings.Contains(path, "://") && !state.IsPostgresURL(path) {
		return nil, usagef("--state %s: expected an SQLite file or a postgres:// URL", state.RedactURL(path))
	}
	db, err := state.OpenAny(ctx, path, state.Options{})
	return db, configErr(err)
}

// Recorder opens the store StatePath(flag) names and the sink that
// records the sweep of hosts (their names) of shard into it, with what
// the store must know of the inventory and configuration to tell gone
// from fixed; nils when no store is named.
func (e *Env) Recorder(ctx context.Context, flag string, hosts []string, shard sweep.Shard) (*state.DB, *sweep.StateSink, error) {
	path := e.StatePath(flag)
	if path == "" {
		return nil, nil, nil
	}
	info, err := e.SweepInfo(hosts)
	if err != nil {
		return nil, nil, err
	}
	if shard.Count > 1 {
		info.Shard = &state.Shard{Index: shard.Index, Count: shard.Count}
	}
	store, err := OpenStore(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	return store, sweep.NewStateSink(store, info), nil
}
