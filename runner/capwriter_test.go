package runner

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestCapWriter(t *testing.T) {
	tests := []struct {
		name      string
		limit     int
		writes    []string
		want      string
		truncated bool
		cuts      int
	}{
		{"under", 10, []string{"abc", "def"}, "abcdef", false, 0},
		{"exactly", 6, []string{"abc", "def"}, "abcdef", false, 0},
		{"over in one write", 4, []string{"abcdef"}, "abcd", true, 1},
		{"over across writes", 4, []string{"abc", "def", "ghi"}, "abcd", true, 1},
		{"zero limit", 0, []string{"x"}, "", true, 1},
		{"empty writes", 2, []string{"", ""}, "", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cuts := 0
			w := newCapWriter(tt.limit, func() { cuts++ })
			total := 0
			for _, s := range tt.writes {
				n, err := w.Write([]byte(s))
				if err != nil || n != len(s) {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil (keep draining)", s, n, err, len(s))
				}
				total += n
			}
			if got := string(w.Bytes()); got != tt.want {
				t.Errorf("Bytes = %q, want %q", got, tt.want)
			}
			if w.Truncated() != tt.truncated {
				t.Errorf("Truncated = %v, want %v", w.Truncated(), tt.truncated)
			}
			if w.Total() != int64(total) {
				t.Errorf("Total = %d, want %d", w.Total(), total)
			}
			if cuts != tt.cuts {
				t.Errorf("onCut ran %d times, want %d", cuts, tt.cuts)
			}
		})
	}
}

func TestCapWriterSnapshotIsStable(t *testing.T) {
	w := newCapWriter(8, nil)
	w.Write([]byte("abcd"))
	snap := w.Bytes()
	w.Write([]byte("efgh"))
	if !bytes.Equal(snap, []byte("abcd")) {
		t.Errorf("snapshot changed to %q after a later write", snap)
	}
}

// chunkReader returns its data a few bytes per Read, as an SSH channel does.
type chunkReader struct {
	data  []byte
	chunk int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.chunk)], r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestCapWriterReadFrom(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 1000) // 10,000 bytes
	tests := []struct {
		name      string
		limit     int
		data      []byte
		chunk     int
		truncated bool
	}{
		{"empty", 100, nil, 7, false},
		{"small", 100, []byte("hello"), 2, false},
		{"exactly the limit", 10, big[:10], 3, false},
		{"grows past the initial buffer", 1 << 20, big, 333, false},
		{"over the limit", 1000, big, 4096, true},
		{"over the limit in one read", 1000, big, 1 << 20, true},
		{"zero limit", 0, big[:5], 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cuts := 0
			w := newCapWriter(tt.limit, func() { cuts++ })
			n, err := io.Copy(w, &chunkReader{data: tt.data, chunk: tt.chunk})
			if err != nil || n != int64(len(tt.data)) {
				t.Fatalf("io.Copy = %d, %v; want %d, nil (drain everything)", n, err, len(tt.data))
			}
			want := tt.data[:min(len(tt.data), tt.limit)]
			if got := w.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("Bytes = %d bytes, want the first %d", len(got), len(want))
			}
			if w.Truncated() != tt.truncated || w.Total() != int64(len(tt.data)) {
				t.Errorf("Truncated = %v, Total = %d; want %v, %d", w.Truncated(), w.Total(), tt.truncated, len(tt.data))
			}
			if wantCuts := map[bool]int{true: 1}[tt.truncated]; cuts != wantCuts {
				t.Errorf("onCut ran %d times, want %d", cuts, wantCuts)
			}
		})
	}
}

func TestCapWriterReadFromSnapshotIsStable(t *testing.T) {
	w := newCapWriter(1<<20, nil)
	w.ReadFrom(&chunkReader{data: []byte("abcd"), chunk: 4})
	snap := w.Bytes()
	w.ReadFrom(&chunkReader{data: bytes.Repeat([]byte("x"), 5000), chunk: 100})
	if !bytes.Equal(snap, []byte("abcd")) {
		t.Errorf("snapshot changed to %q after a later read", snap[:min(len(snap), 10)])
	}
}

func TestCapWriterReadFromReturnsReadErrors(t *testing.T) {
	w := newCapWriter(10, nil)
	if _, err := w.ReadFrom(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(errBoom))); !errors.Is(err, errBoom) {
		t.Errorf("ReadFrom error = %v, want %v", err, errBoom)
	}
	if got := string(w.Bytes()); got != "ab" {
		t.Errorf("Bytes = %q, want %q", got, "ab")
	}
}

var errBoom = errors.New("boom")
