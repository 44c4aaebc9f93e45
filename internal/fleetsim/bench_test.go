package fleetsim

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStart10k starts and closes a fleet of 10,000 idle hosts and
// reports the memory a started fleet holds.
func BenchmarkStart10k(b *testing.B) {
	const n = 10_000
	specs := make([]HostSpec, n)
	for i := range specs {
		specs[i] = HostSpec{Name: fmt.Sprintf("web%05d.dc1.example.org", i)}
	}
	b.ReportAllocs()
	var held, rss float64
	var startTime time.Duration
	for b.Loop() {
		runtime.GC()
		var ms0 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		t0 := time.Now()
		f, err := Start(context.Background(), Options{Hosts: specs})
		if err != nil {
			b.Fatal(err)
		}
		startTime += time.Since(t0)
		b.StopTimer()
		runtime.GC()
		var ms1 runtime.MemStats
		runtime.ReadMemStats(&ms1)
		held = float64(ms1.HeapInuse+ms1.StackInuse) - float64(ms0.HeapInuse+ms0.StackInuse)
		rss = max(rss, vmRSS(b))
		b.StartTimer()
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(startTime.Milliseconds())/float64(b.N), "start-ms/op")
	b.ReportMetric(held/n, "held-B/host")
	b.ReportMetric(rss/(1<<20), "RSS-MiB")
}

// vmRSS is the process's resident set size in bytes, from /proc (0 where
// there is none).
func vmRSS(b *testing.B) float64 {
	file, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer file.Close()
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err != nil {
				b.Fatalf("VmRSS: %v", err)
			}
			return kb * 1024
		}
	}
	return 0
}
