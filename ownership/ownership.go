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
//
// Choices the owners file format makes:
//   - fallback: is required and must name a team under teams:, so an
//     unowned failure always reaches someone.
//   - owner: is required in every rule; owner: null marks the rule's hosts
//     explicitly unowned (Owner.Unowned, Team = fallback, Rule = the id).
//   - hosts: left out, empty or "all" selects every host, even hosts the
//     inventory does not hold; any other query selects what it evaluates
//     to when compiled (D{} hosts included).
//   - checks: names or path.Match globs; left out selects every check. An
//     empty check name (explain HOST without CHECK) is selected only by
//     rules without checks: (or a glob such as "*").
//   - SLA of a failure: the owning team's value for the status, else the
//     file's sla: value for it; UNKNOWN and UNREACHABLE, which carry no
//     verdict, then fall back to the team's critical, then the file's
//     critical. OK has none. Durations take s, m, h, d and w units.
//   - Chat webhook secrets stay out of the owners file and out of every
//     type here: only the file path or variable name is kept.
package ownership

import "github.com/fleetcheck/fleetcheck/health"

// Owner is who triages one failure, and why (health.Owner).
type Owner = health.Owner
