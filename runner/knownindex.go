package runner

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// knownIndex maps a host name, written as known_hosts writes it ("name" or
// "[name]:port"), to the keys recorded for it, in file order. It is only
// built when every line of the files is a plain entry: no markers, no
// hashed names, no wildcards or negations. Such files are then checked
// with one map lookup per host instead of a scan of every line.
type knownIndex map[string][]knownhosts.KnownKey

// buildKnownIndex parses files and returns their index, or ok false when
// some line needs the full matcher of knownhosts (or does not parse).
func buildKnownIndex(files []string) (idx knownIndex, ok bool, err error) {
	idx = knownIndex{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, false, fmt.Errorf("known_hosts %s: %w", file, err)
		}
		plain := forEachEntry(data, func(line int, entry []byte) bool {
			marker, hosts, key, _, _, perr := ssh.ParseKnownHosts(entry)
			if perr != nil || marker != "" {
				return false
			}
			for _, h := range hosts {
				if strings.ContainsAny(h, "*?!|") {
					return false
				}
				name := knownhosts.Normalize(h)
				idx[name] = append(idx[name], knownhosts.KnownKey{Key: key, Filename: file, Line: line})
			}
			return true
		})
		if !plain {
			return nil, false, nil
		}
	}
	return idx, true, nil
}

// forEachEntry calls fn with the 1-based line number and the trimmed text
// of every line of a known_hosts file that is neither blank nor a comment
// (ssh.ParseKnownHosts skips those, so it cannot count lines itself). It
// stops and returns false as soon as fn does.
func forEachEntry(data []byte, fn func(line int, entry []byte) bool) bool {
	line := 0
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		var text []byte
		if end < 0 {
			text, data = data, nil
		} else {
			text, data = data[:end], data[end+1:]
		}
		line++
		trimmed := bytes.TrimSpace(text)
		if len(trimmed) == 0 || trimmed[0] == '#' {
			continue
		}
		if !fn(line, trimmed) {
			return false
		}
	}
	return true
}

// check verifies key for hostname ("host:port") as knownhosts does for
// plain entries: nil when some recorded key equals it, else a
// *knownhosts.KeyError listing the recorded keys (none: unknown host).
func (idx knownIndex) check(hostname string, key ssh.PublicKey) error {
	want := idx[knownhosts.Normalize(hostname)]
	blob := key.Marshal()
	for _, k := range want {
		if bytes.Equal(k.Key.Marshal(), blob) {
			return nil
		}
	}
	return &knownhosts.KeyError{Want: want}
}
