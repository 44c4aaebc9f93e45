package notify

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Item is one queued delivery.
type Item struct {
	Message  Message
	Queued   time.Time // when it was decided (the sweep's digest)
	Attempts int       // attempts made in earlier runs and this one
	LastErr  string    // the last attempt's error, "" before any
}

// Outbox is where deliveries wait: written in the same transaction that
// decides them (the state store implements it), drained by a Dispatcher.
// An id is queued at most once (the store's primary key), so that a
// digest is never queued twice for one sweep. Implementations are safe
// for concurrent use.
type Outbox interface {
	// Pending returns the deliveries still to make, in the order they
	// were queued (oldest first); neither delivered nor refused ones. An
	// outbox that several processes share claims what it returns for
	// this run (a lease), so that two runs never make one delivery.
	Pending(ctx context.Context) ([]Item, error)
	// Attempted records one failed attempt that may be retried.
	Attempted(ctx context.Context, id ID, at time.Time, reason string) error
	// Delivered marks id delivered: it is never sent again.
	Delivered(ctx context.Context, id ID, at time.Time) error
	// Refused marks id permanently refused (a 400, a receiver no longer
	// configured): kept and reported, never sent again.
	Refused(ctx context.Context, id ID, at time.Time, reason string) error
}

// MemoryOutbox is an Outbox in memory, for tests and dry runs. Enqueue
// drops an id already queued, as the store's primary key does.
type MemoryOutbox struct {
	mu    sync.Mutex
	items []memItem
}

type memItem struct {
	Item
	state     string // "", "delivered", "refused"
	at        time.Time
	refusedBy string
}

// Enqueue queues msg unless its id is already in the outbox; it reports
// whether it was added.
func (o *MemoryOutbox) Enqueue(msg Message, at time.Time) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, it := range o.items {
		if it.Message.ID == msg.ID {
			return false
		}
	}
	o.items = append(o.items, memItem{Item: Item{Message: msg, Queued: at}})
	return true
}

// Pending implements Outbox.
func (o *MemoryOutbox) Pending(context.Context) ([]Item, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Item
	for _, it := range o.items {
		if it.state == "" {
			out = append(out, it.Item)
		}
	}
	return out, nil
}

func (o *MemoryOutbox) find(id ID) (*memItem, error) {
	i := slices.IndexFunc(o.items, func(it memItem) bool { return it.Message.ID == id })
	if i < 0 {
		return nil, fmt.Errorf("outbox: no delivery %s", id)
	}
	return &o.items[i], nil
}

// Attempted implements Outbox.
func (o *MemoryOutbox) Attempted(_ context.Context, id ID, _ time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, err := o.find(id)
	if err != nil {
		return err
	}
	it.Attempts++
	it.LastErr = reason
	return nil
}

// Delivered implements Outbox.
func (o *MemoryOutbox) Delivered(_ context.Context, id ID, at time.Time) error {
	return o.settle(id, "delivered", at, "")
}

// Refused implements Outbox.
func (o *MemoryOutbox) Refused(_ context.Context, id ID, at time.Time, reason string) error {
	return o.settle(id, "refused", at, reason)
}

func (o *MemoryOutbox) settle(id ID, state string, at time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, err := o.find(id)
	if err != nil {
		return err
	}
	if it.state != "" {
		return fmt.Errorf("outbox: delivery %s already %s", id, it.state)
	}
	it.Attempts++
	it.state, it.at, it.refusedBy = state, at, reason
	if reason != "" {
		it.LastErr = reason
	}
	return nil
}

// State returns what became of id: "" (pending), "delivered" or
// "refused", with the attempts made.
func (o *MemoryOutbox) State(id ID) (state string, attempts int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	it, err := o.find(id)
	if err != nil {
		return "missing", 0
	}
	return it.state, it.Attempts
}
