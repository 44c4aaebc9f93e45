package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/sweep"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/fleetcheck/fleetcheck/runner"
)

// OwnersPath is the name the demo's owners file goes by in messages.
const OwnersPath = "demo/owners.yaml"

// Select evaluates the query q (cumin syntax) against the fleet's inventory.
func (d *Fleet) Select(ctx context.Context, q string) ([]inventory.Host, error) {
	return query.Select(ctx, &query.Env{Inventory: d.Inventory}, q)
}

// Owners is the demo's owners file, compiled against the fleet's inventory.
func (d *Fleet) Owners(ctx context.Context) (*ownership.File, *ownership.Matcher, error) {
	f, err := ownership.Parse(OwnersPath, OwnersYAML())
	if err != nil {
		return nil, nil, fmt.Errorf("demo owners: %w", err)
	}
	m, err := f.Compile(ctx, &query.Env{Inventory: d.Inventory})
	if err != nil {
		return nil, nil, fmt.Errorf("demo owners: %w", err)
	}
	return f, m, nil
}

// WorldOf is the demo command's world: HealthyShare of the host/check
// pairs OK and the connection faults on, or (healthy) every host healthy
// with no fault.
func WorldOf(healthy bool) func(map[string][]Sample) ([]Host, error) {
	share, faultsOn := HealthyShare, true
	if healthy {
		share, faultsOn = 1, false
	}
	return func(s map[string][]Sample) ([]Host, error) { return World(s, share, faultsOn) }
}

// SweepChecks are the fleet's checks as a sweep runs them, and their names.
func (d *Fleet) SweepChecks() ([]sweep.Check, []string) {
	cks := make([]sweep.Check, len(d.Checks))
	names := make([]string, len(d.Checks))
	for i, ck := range d.Checks {
		cks[i], names[i] = sweep.Check{Check: ck}, ck.Name()
	}
	return cks, names
}

// RunnerConfig is the configuration that reaches the fleet, with the
// caller's fanout and timeouts.
func (d *Fleet) RunnerConfig(fanout int, timeout, connectTimeout time.Duration) runner.Config {
	rc := d.Runner
	rc.Fanout, rc.HostTimeout, rc.ConnectTimeout = fanout, timeout, connectTimeout
	return rc
}
