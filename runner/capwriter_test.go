package runner

import (
	"bytes"
	"testing"
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
