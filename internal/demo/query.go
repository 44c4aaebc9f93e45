package demo

import (
	"context"
	"fmt"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"github.com/fleetcheck/fleetcheck/ownership"
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
