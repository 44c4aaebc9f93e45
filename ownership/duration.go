package ownership

import (
	"fmt"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
)

// parseDuration parses a positive duration such as "4h", "3d" or "1d12h"
// (duration.Parse's grammar; an SLA of zero would be breached at once).
func parseDuration(s string) (time.Duration, error) {
	d, err := duration.Parse(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("bad duration %q: expected a positive duration such as 4h or 3d", s)
	}
	return d, nil
}
