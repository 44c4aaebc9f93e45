package slack

import (
	"context"
	"testing"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// BenchmarkSplit cuts a 4,000-line digest (about 400 KB) into messages.
func BenchmarkSplit(b *testing.B) {
	md := longDigest(4000)
	for b.Loop() {
		Split("s", md, false)
	}
}

// BenchmarkNotify is one short digest posted to an in-process hook.
func BenchmarkNotify(b *testing.B) {
	srv := notifytest.New(b)
	r, err := New(Config{URL: notify.NewSecret(srv.URL), Client: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	m := message(longDigest(20))
	for b.Loop() {
		if _, err := r.Notify(context.Background(), &m); err != nil {
			b.Fatal(err)
		}
	}
}
