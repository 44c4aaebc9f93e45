package runner

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// recordFile picks the known_hosts file accept-new writes to, as OpenSSH
// writes to the first UserKnownHostsFile: the first of files that exists
// and opens for writing, or does not exist yet (it is then created, and
// its directory with mode 0700). Read-only files are skipped.
func recordFile(files []string) (string, error) {
	for _, f := range files {
		w, err := os.OpenFile(f, os.O_WRONLY, 0)
		if err == nil {
			w.Close()
			return f, nil
		}
		if errors.Is(err, os.ErrNotExist) {
			return f, nil
		}
	}
	if len(files) == 0 {
		return "", errors.New("no known_hosts file to record host keys in")
	}
	return "", fmt.Errorf("no writable known_hosts file among %q", files)
}

// knownHostsWriter records new host keys. Concurrent records of one file
// in this process are written together (one lock, one read, one rename
// for every key waiting); across processes an exclusive flock on
// "FILE.lock" serialises writers, and each re-reads the file under the
// lock so a key another process recorded meanwhile is not written twice.
type knownHostsWriter struct {
	mu    sync.Mutex
	files map[string]*recordQueue
}

// recordQueue holds the records waiting for one file.
type recordQueue struct {
	writing sync.Mutex // held by the goroutine writing a batch

	mu      sync.Mutex
	pending []*recordReq
}

// recordReq is one host key to record; err is set once done is.
type recordReq struct {
	hostname string // "host:port" as dialed
	key      ssh.PublicKey
	done     bool
	err      error
}

func newKnownHostsWriter() *knownHostsWriter {
	return &knownHostsWriter{files: map[string]*recordQueue{}}
}

// record adds hostname's key to file unless the file already holds it.
// It fails with a *knownhosts.KeyError (a mismatch) when the file now
// holds another key for hostname, recorded by someone else meanwhile.
func (w *knownHostsWriter) record(file, hostname string, key ssh.PublicKey) error {
	w.mu.Lock()
	q := w.files[file]
	if q == nil {
		q = &recordQueue{}
		w.files[file] = q
	}
	w.mu.Unlock()

	req := &recordReq{hostname: hostname, key: key}
	q.mu.Lock()
	q.pending = append(q.pending, req)
	q.mu.Unlock()

	q.writing.Lock()
	defer q.writing.Unlock()
	if req.done { // written by the batch of another goroutine
		return req.err
	}
	q.mu.Lock()
	batch := q.pending
	q.pending = nil
	q.mu.Unlock()
	err := writeBatch(file, batch)
	for _, r := range batch {
		if err != nil {
			r.err = err
		}
		r.done = true
	}
	return req.err
}

// writeBatch records every key of batch in file under its lock; a
// request already satisfied or contradicted by the file gets its result
// in its err field, and the returned error is for the whole batch.
func writeBatch(file string, batch []*recordReq) error {
	if real, err := filepath.EvalSymlinks(file); err == nil {
		file = real // replace the target, keep the link
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	unlock, err := lockFile(file + ".lock")
	if err != nil {
		return err
	}
	defer unlock()

	old, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	names := make(map[string]bool, len(batch))
	for _, r := range batch {
		names[knownhosts.Normalize(r.hostname)] = true
	}
	var check func(hostname string, key ssh.PublicKey) error
	if recorded, ok := scanRecorded(file, old, names); ok {
		check = recorded.check
	} else {
		cb, err := knownhosts.New(file)
		if err != nil {
			return fmt.Errorf("known_hosts %s: not recording into a file that does not parse: %w", file, err)
		}
		remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}
		check = func(hostname string, key ssh.PublicKey) error { return cb(hostname, remote, key) }
	}
	var add bytes.Buffer
	added := map[string]string{} // normalized host -> key wire form, within the batch
	for _, r := range batch {
		name := knownhosts.Normalize(r.hostname)
		blob := string(r.key.Marshal())
		if prev, ok := added[name]; ok {
			if prev != blob {
				r.err = fmt.Errorf("known_hosts %s: %s presented two keys at once: %w", file, name,
					&knownhosts.KeyError{Want: []knownhosts.KnownKey{{Filename: file}}})
			}
			continue
		}
		var keyErr *knownhosts.KeyError
		switch err := check(r.hostname, r.key); {
		case err == nil: // recorded meanwhile by another process
			continue
		case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
		default:
			r.err = fmt.Errorf("known_hosts %s changed meanwhile: %w", file, err)
			continue
		}
		added[name] = blob
		add.WriteString(knownhosts.Line([]string{name}, r.key))
		add.WriteByte('\n')
	}
	if add.Len() == 0 {
		return nil
	}
	if len(old) > 0 && old[len(old)-1] != '\n' {
		old = append(old, '\n')
	}
	return replaceFile(file, append(old, add.Bytes()...))
}

// scanRecorded returns the keys data (file's content) records for names,
// without parsing the lines of other hosts: a first sweep with accept-new
// re-reads a growing file once per batch. It reports false when some line
// needs knownhosts' full matcher (markers, hashed names, wildcards,
// negations) or does not parse.
func scanRecorded(file string, data []byte, names map[string]bool) (knownIndex, bool) {
	idx := knownIndex{}
	plain := forEachEntry(data, func(line int, trimmed []byte) bool {
		hostsEnd := bytes.IndexAny(trimmed, " \t")
		if trimmed[0] == '@' || hostsEnd < 0 || bytes.ContainsAny(trimmed[:hostsEnd], "*?!|") {
			return false
		}
		var matched []string
		for h := range strings.SplitSeq(string(trimmed[:hostsEnd]), ",") {
			if strings.HasPrefix(h, "[") {
				h = knownhosts.Normalize(h)
			}
			if names[h] {
				matched = append(matched, h)
			}
		}
		if len(matched) == 0 {
			return true
		}
		_, _, key, _, _, err := ssh.ParseKnownHosts(trimmed)
		if err != nil {
			return false
		}
		for _, h := range matched {
			idx[h] = append(idx[h], knownhosts.KnownKey{Key: key, Filename: file, Line: line})
		}
		return true
	})
	if !plain {
		return nil, false
	}
	return idx, true
}

// replaceFile writes data to a temporary file beside file (mode 0600),
// syncs it and renames it over file, so readers see the old or the new
// content, never a part.
func replaceFile(file string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	if err := os.Rename(name, file); err != nil {
		os.Remove(name)
		return fmt.Errorf("known_hosts %s: %w", file, err)
	}
	return nil
}
