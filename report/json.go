package report

import (
	"io"

	"github.com/fleetcheck/fleetcheck/health"
)

// SchemaName is the "schema" field of the JSON document and NDJSON summary.
const SchemaName = health.SchemaName

// JSON writes the fleetcheck.sweep/v1 document (health.Encode).
func JSON(w io.Writer, s *Sweep) error { return health.Encode(w, s) }

// statusName is the lower-case status name used in summaries and metrics.
func statusName(st health.Status) string {
	switch st {
	case health.OK:
		return "ok"
	case health.Warning:
		return "warning"
	case health.Critical:
		return "critical"
	case health.Unreachable:
		return "unreachable"
	}
	return "unknown"
}
