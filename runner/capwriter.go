package runner

import (
	"io"
	"sync"
)

// Buffer sizes of capWriter.ReadFrom: the kept bytes start small (most
// check outputs are well under a kilobyte) and double up to the limit;
// bytes over the limit are drained through a small scratch buffer.
const (
	capInitial = 512
	capScratch = 4 << 10
)

// capWriter keeps the first limit bytes written to it and discards the
// rest while still accepting every write, so the SSH channel it drains
// never stalls. onCut runs once, on the first byte over cutAt (the limit
// unless set otherwise before the first write).
type capWriter struct {
	mu    sync.Mutex
	buf   []byte
	limit int
	cutAt int64
	total int64
	onCut func()
}

func newCapWriter(limit int, onCut func()) *capWriter {
	return &capWriter{limit: limit, cutAt: int64(limit), onCut: onCut}
}

// Write keeps what fits under the limit and reports every byte written.
func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	before := w.total
	w.total += int64(len(p))
	if room := w.limit - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	cutNow := before <= w.cutAt && w.total > w.cutAt
	w.mu.Unlock()
	if cutNow && w.onCut != nil {
		w.onCut()
	}
	return len(p), nil
}

// ReadFrom drains r until EOF, as io.Copy does but without io.Copy's
// 32 KiB buffer per stream (two per command, the largest allocation of a
// sweep): it reads straight into the kept bytes until the limit, then
// discards through a small scratch buffer, so the channel never stalls.
// It must not run concurrently with Write.
func (w *capWriter) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	var scratch []byte
	for {
		w.mu.Lock()
		kept := len(w.buf)
		var dst []byte
		if room := w.limit - kept; room > 0 {
			if kept == cap(w.buf) {
				grown := make([]byte, kept, min(max(2*kept, capInitial), w.limit))
				copy(grown, w.buf)
				w.buf = grown
			}
			dst = w.buf[kept:min(cap(w.buf), w.limit)]
		}
		w.mu.Unlock()
		intoBuf := dst != nil
		if !intoBuf {
			if scratch == nil {
				scratch = make([]byte, capScratch)
			}
			dst = scratch
		}
		// Reading into the spare capacity of buf touches no byte that
		// Bytes may have handed out: snapshots end at len(buf).
		m, err := r.Read(dst)
		if m > 0 {
			n += int64(m)
			w.mu.Lock()
			before := w.total
			w.total += int64(m)
			if intoBuf {
				w.buf = w.buf[:kept+m]
			}
			cutNow := before <= w.cutAt && w.total > w.cutAt
			w.mu.Unlock()
			if cutNow && w.onCut != nil {
				w.onCut()
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// Bytes returns a copy-free snapshot of what was kept; callers must not
// write afterwards (it is taken once the session is over).
func (w *capWriter) Bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf[:len(w.buf):len(w.buf)]
}

// Truncated reports whether more than limit bytes were written.
func (w *capWriter) Truncated() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total > int64(w.limit)
}

// Total returns how many bytes were written, kept or not.
func (w *capWriter) Total() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total
}
