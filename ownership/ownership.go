// Package ownership attributes each failure to the team that owns it:
// teams, rules (last match wins, like CODEOWNERS), the fallback for what no
// rule owns, explain and lint, and SLAs. Rules select hosts with the same
// query language as sweeps.
package ownership

import (
	"context"
	"errors"
	"time"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

// Owner is who triages one failure, and why.
type Owner struct {
	Team         string        // owning team; the fallback team when Unowned
	Rule         string        // id of the rule that decided, "" when none matched
	Unowned      bool          // no rule owns it (or the winning rule says owner: null)
	ProductOwner string        // product owner team, may be ""
	AlsoNotify   []string      // extra recipients, owner unchanged
	SLA          time.Duration // triage deadline for the failure's severity; 0 when none
}

// File is a loaded owners file.
type File struct{}

// Load reads and validates an owners file; problems are *posfile.Error.
func Load(path string) (*File, error) {
	return nil, errors.New("ownership: not implemented yet")
}

// Matcher answers "who owns this failure" for one sweep; every rule's query
// has been evaluated once against the sweep's environment.
type Matcher struct{}

// Compile evaluates every rule's host query once against env.
func (f *File) Compile(ctx context.Context, env *query.Env) (*Matcher, error) {
	return nil, errors.New("ownership: not implemented yet")
}

// Owner returns the owner of a result of check on host with status.
func (m *Matcher) Owner(host, check string, status checks.Status) Owner {
	return Owner{Unowned: true}
}
