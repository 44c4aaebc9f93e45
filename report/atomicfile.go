package report

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes a file so that readers (the node_exporter textfile
// collector) see the old content or the new, never half of it: write calls
// go to a temporary file in the same directory, which is synced, given mode
// 0644 and renamed over path. On error path is left untouched.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	f, err := CreateAtomic(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// AtomicFile is a file being written in place of path: readers see the old
// content until Commit renames it over path, and never a part of it.
type AtomicFile struct {
	path string
	dir  string
	tmp  *os.File
	bw   *bufio.Writer
}

// WriteOutput renders to path atomically (WriteFileAtomic), or to stdout
// when path is "" (an output without --output-file).
func WriteOutput(path string, stdout io.Writer, render func(io.Writer) error) error {
	if path == "" {
		return render(stdout)
	}
	return WriteFileAtomic(path, render)
}

// CreateAtomic starts writing path atomically, for output that is streamed
// (NDJSON) rather than written in one call (WriteFileAtomic).
func CreateAtomic(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &AtomicFile{path: path, dir: dir, tmp: tmp, bw: bufio.NewWriter(tmp)}, nil
}

// Write writes to the temporary file.
func (f *AtomicFile) Write(p []byte) (int, error) { return f.bw.Write(p) }

// Commit flushes, syncs, gives the file mode 0644 and renames it over
// path; on error the temporary file is removed and path left untouched.
func (f *AtomicFile) Commit() error {
	err := f.bw.Flush()
	if err == nil {
		err = f.tmp.Chmod(0o644)
	}
	if err == nil {
		if err = f.tmp.Sync(); err != nil {
			err = fmt.Errorf("sync: %w", err)
		}
	}
	if err == nil {
		err = f.tmp.Close()
	}
	if err == nil {
		err = os.Rename(f.tmp.Name(), f.path)
	}
	if err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	syncDir(f.dir)
	return nil
}

// Abort discards the temporary file; path is left untouched. It is safe
// after Commit (it then does nothing useful).
func (f *AtomicFile) Abort() {
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}

// syncDir makes a rename durable where the platform allows; failure only
// weakens durability, never correctness, so it is not reported.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
