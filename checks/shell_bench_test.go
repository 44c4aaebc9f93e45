package checks

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkReadSections splits a healthy puppet output (47 lines) at its
// markers.
func BenchmarkReadSections(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "puppet", "healthy.out"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readSections(Output{Stdout: data}); err != nil {
			b.Fatal(err)
		}
	}
}
