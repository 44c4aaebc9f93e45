// Package ownership attributes each failure to the team that owns it:
// teams, rules (last match wins, like CODEOWNERS), the fallback for what no
// rule owns, explain and lint, and SLAs. Rules select hosts with the same
// query language as sweeps.
//
// Load reads and validates an owners file (every problem is a
// *posfile.Error naming file, line and column). Compile evaluates each
// rule's host query once against a sweep's environment; the resulting
// Matcher answers Owner, Explain and Test without evaluating any query
// again, and is safe for concurrent use.
package ownership

import "time"

// Owner is who triages one failure, and why.
type Owner struct {
	Team         string        // owning team; the fallback team when Unowned
	Rule         string        // id of the rule that decided, "" when none matched
	Unowned      bool          // no rule owns it (or the winning rule says owner: null)
	ProductOwner string        // product owner team, may be ""
	AlsoNotify   []string      // extra recipients, owner unchanged
	SLA          time.Duration // triage deadline for the failure's severity; 0 when none
}
