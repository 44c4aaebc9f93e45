package runner

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
)

// BenchmarkAcceptNewFleet records b.N new hosts from 64 goroutines at
// once, as a first accept-new sweep at fanout 64 does: batching keeps the
// re-read and rewrite of known_hosts from growing with the square of N.
func BenchmarkAcceptNewFleet(b *testing.B) {
	kh := filepath.Join(b.TempDir(), "known_hosts")
	keys := make([]ssh.PublicKey, b.N)
	for i := range keys {
		keys[i] = testPublicKey(b)
	}
	w := newKnownHostsWriter()
	next := make(chan int)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for i := range next {
				if err := w.record(kh, fmt.Sprintf("10.%d.%d.%d:22", i>>16&255, i>>8&255, i&255), keys[i]); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range b.N {
		next <- i
	}
	close(next)
	wg.Wait()
}
