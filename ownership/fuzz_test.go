package ownership

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// FuzzParse: no owners file, however broken, panics the loader; every
// rejection names a position in the file.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	bad, _ := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	for _, p := range append(files, bad...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("owners.yaml", data)
		if err != nil {
			pe, ok := err.(*posfile.Error)
			if !ok {
				t.Fatalf("error %T %v is not positioned", err, err)
			}
			if pe.File != "owners.yaml" || !strings.HasPrefix(err.Error(), "owners.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if file.Fallback == "" {
			t.Fatal("a file without fallback was accepted")
		}
	})
}
