package webhook

import (
	"context"
	"testing"

	"github.com/fleetcheck/fleetcheck/notify"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
)

// BenchmarkNotify is one signed delivery to an in-process receiver over
// a kept-alive loopback connection: the latency fleetcheck adds.
func BenchmarkNotify(b *testing.B) {
	srv := notifytest.New(b)
	r, err := New(Config{URL: notify.NewSecret(srv.URL), Secret: notify.NewSecret(secret), Client: srv.Client()})
	if err != nil {
		b.Fatal(err)
	}
	m := digest("traffic", 1)
	for b.Loop() {
		if _, err := r.Notify(context.Background(), &m); err != nil {
			b.Fatal(err)
		}
	}
}
