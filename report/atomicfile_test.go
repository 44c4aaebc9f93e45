package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fleetcheck.prom")
	if err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := fmt.Fprint(w, "first\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != "first\n" {
		t.Fatalf("content %q, %v", got, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := st.Mode().Perm(); mode != 0o644 {
		t.Errorf("mode %o, want 644", mode)
	}

	// A failing writer leaves the old file and no temporary file behind.
	boom := errors.New("boom")
	err = WriteFileAtomic(path, func(w io.Writer) error {
		fmt.Fprint(w, "half a fi")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
	got, _ = os.ReadFile(path)
	if string(got) != "first\n" {
		t.Errorf("old content replaced by %q after a failed write", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %v, want only the target", names)
	}

	// A second write replaces the content.
	if err := WriteFileAtomic(path, func(w io.Writer) error { return Prometheus(w, fixtureSweep(fixtureRecords())) }); err != nil {
		t.Fatal(err)
	}
	got, _ = os.ReadFile(path)
	if len(got) < 100 || string(got[:6]) != "# HELP" {
		t.Errorf("replaced content %q", got)
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	err := WriteFileAtomic(filepath.Join(t.TempDir(), "nope", "x.prom"), func(io.Writer) error { return nil })
	if err == nil {
		t.Fatal("no error for a missing directory")
	}
}

func TestWriteOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.txt")
	render := func(w io.Writer) error { _, err := io.WriteString(w, "hello\n"); return err }
	for _, file := range []string{"", path} {
		var stdout bytes.Buffer
		if err := WriteOutput(file, &stdout, render); err != nil {
			t.Fatal(err)
		}
		got := stdout.String()
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil || stdout.Len() > 0 {
				t.Fatalf("file %s: %v, stdout %q", file, err, stdout.String())
			}
			got = string(b)
		}
		if got != "hello\n" {
			t.Errorf("WriteOutput(%q) wrote %q", file, got)
		}
	}
}
