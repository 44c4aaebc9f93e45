package runner

import "sync"

// capWriter keeps the first limit bytes written to it and discards the
// rest while still accepting every write, so the SSH channel it drains
// never stalls. onCut runs once, on the first byte over the limit.
type capWriter struct {
	mu    sync.Mutex
	buf   []byte
	limit int
	total int64
	onCut func()
}

func newCapWriter(limit int, onCut func()) *capWriter {
	return &capWriter{limit: limit, onCut: onCut}
}

// Write keeps what fits under the limit and reports every byte written.
func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	before := w.total
	w.total += int64(len(p))
	if room := w.limit - len(w.buf); room > 0 {
		w.buf = append(w.buf, p[:min(room, len(p))]...)
	}
	cutNow := before <= int64(w.limit) && w.total > int64(w.limit)
	w.mu.Unlock()
	if cutNow && w.onCut != nil {
		w.onCut()
	}
	return len(p), nil
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
