package sweep

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

// ReadParts decodes each named shard document for Merge ("-" reads stdin);
// an error names the file.
func ReadParts(names []string, stdin io.Reader) ([]Part, error) {
	parts := make([]Part, 0, len(names))
	for _, name := range names {
		var s *health.Sweep
		var err error
		if name == "-" {
			s, err = health.Decode(stdin)
		} else {
			s, err = DecodeFile(name)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		parts = append(parts, Part{Name: name, Sweep: s})
	}
	return parts, nil
}

// DecodeFile decodes the sweep document (or NDJSON stream) in the named file.
func DecodeFile(name string) (*health.Sweep, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return health.Decode(f)
}

// SweptHosts lists the hosts of a sweep's results, each once, in order.
func SweptHosts(s *health.Sweep) []string {
	var hosts []string
	seen := map[string]bool{}
	for _, r := range s.Results {
		if !seen[r.Host] {
			seen[r.Host] = true
			hosts = append(hosts, r.Host)
		}
	}
	return hosts
}

// MergedInfo is what the state store records of a merged sweep: it speaks
// for its hosts only; with no inventory at hand nothing is taken for gone.
func MergedInfo(whole *health.Sweep) state.SweepInfo {
	info := state.SweepInfo{Hosts: SweptHosts(whole)}
	if sh := whole.Shard; sh != nil {
		info.Shard = &state.Shard{Index: sh.Index, Count: sh.Count}
	}
	return info
}

// Replay hands a finished sweep to the sinks, in order, as Execute would
// have: Begin with its head, each record sorted by host and check, End.
// The first error stops it.
func Replay(ctx context.Context, whole *health.Sweep, sinks []Sink) error {
	head := *whole
	head.Results = nil
	for _, sk := range sinks {
		if err := sk.Begin(ctx, &head); err != nil {
			return err
		}
	}
	for _, r := range health.SortedRecords(whole.Results) {
		for _, sk := range sinks {
			if err := sk.Record(ctx, r); err != nil {
				return err
			}
		}
	}
	for _, sk := range sinks {
		if err := sk.End(ctx, &head); err != nil {
			return err
		}
	}
	return nil
}
