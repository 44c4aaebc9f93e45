package sweep

import (
	"context"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/state"
)

// StateSink is the Sink that records a sweep into a state store as its
// records come, and remembers what the history makes of each failure (for
// the table's marks). Put it before the output sinks, so that the sweep is
// committed before the final formats render.
type StateSink struct {
	store state.Store
	info  state.SweepInfo
	rec   state.Recording
	marks map[[2]string]state.Mark // failures only: memory grows with them, not with the hosts
	swept state.Sweep
	done  bool
}

// NewStateSink returns a sink recording into store; info says what the
// store must know of the inventory and configuration (Query, Checks and
// Started are taken from the sweep itself).
func NewStateSink(store state.Store, info state.SweepInfo) *StateSink {
	return &StateSink{store: store, info: info}
}

// Begin starts the recording; a store locked by another sweep fails here,
// before any host is contacted.
func (ss *StateSink) Begin(ctx context.Context, s *health.Sweep) error {
	ss.info.Query, ss.info.Checks, ss.info.Started = s.Query, s.Checks, s.Started
	r, err := ss.store.Begin(ctx, ss.info)
	if err != nil {
		return err
	}
	ss.rec, ss.marks = r, map[[2]string]state.Mark{}
	return nil
}

// Record adds one record to the recording.
func (ss *StateSink) Record(ctx context.Context, r health.Record) error {
	m, err := ss.rec.Add(ctx, r)
	if err != nil {
		return err
	}
	if r.Status != health.OK && !m.FirstSeen.IsZero() {
		ss.marks[[2]string{r.Host, r.Check}] = m
	}
	return nil
}

// End commits the sweep: an interrupted one too, with what it finished.
func (ss *StateSink) End(ctx context.Context, s *health.Sweep) error {
	sw, err := ss.rec.Commit(ctx, state.SweepEnd{Finished: s.Finished, Complete: s.Complete})
	if err != nil {
		return err
	}
	ss.swept, ss.done = sw, true
	return nil
}

// Abort drops an unfinished recording (a sink failed, End never came); after
// End it does nothing, so it can be deferred.
func (ss *StateSink) Abort() {
	if ss.rec != nil && !ss.done {
		ss.rec.Abort() //nolint:errcheck // the error that stopped the sweep is the one reported
	}
}

// Swept is the sweep as committed by End (zero before).
func (ss *StateSink) Swept() state.Sweep { return ss.swept }

// Mark is the table's mark of a failure (report.TableOptions.Mark):
// MAINT, ACK or FLAPPING xN where triage says so, then "new" or "ongoing"
// with its age (digest.MarkText); "" for a record that is not a failure.
func (ss *StateSink) Mark(host, check string) string {
	m, ok := ss.marks[[2]string{host, check}]
	if !ok {
		return ""
	}
	return digest.MarkText(m, time.Now())
}
