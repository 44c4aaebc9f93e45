package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd) //nolint:errcheck // back to where the test started
	r := &recorder{TB: t}
	Check(r, "a.txt", []byte("one"), true)
	if r.failed {
		t.Fatal("writing with update failed")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "testdata", "a.txt")); string(data) != "one" {
		t.Fatalf("wrote %q", data)
	}
	Check(r, "a.txt", []byte("one"), false)
	if r.failed {
		t.Fatal("equal output reported as different")
	}
	Check(r, "a.txt", []byte("two"), false)
	if !r.failed {
		t.Fatal("different output not reported")
	}
}
