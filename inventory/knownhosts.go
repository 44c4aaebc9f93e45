package inventory

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// LoadKnownHosts returns every plain host name or address recorded in the
// OpenSSH known_hosts files at paths, in file order without duplicates.
// "[host]:port" gives host; wildcard patterns, negations ("!host") and
// @cert-authority / @revoked lines are skipped; hashed entries ("|1|...")
// cannot be read back and are only counted in hashed. Files that do not
// exist are skipped, as OpenSSH does; other read errors are returned.
func LoadKnownHosts(paths ...string) (names []string, hashed int, err error) {
	seen := map[string]bool{}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("known_hosts: %w", err)
		}
		h, err := knownHostsNames(data, seen, &names)
		if err != nil {
			return nil, 0, fmt.Errorf("known_hosts %s: %w", path, err)
		}
		hashed += h
	}
	return names, hashed, nil
}

// knownHostsNames appends the plain names of one file's data to names,
// skipping those in seen, and returns how many hashed entries it holds.
func knownHostsNames(data []byte, seen map[string]bool, names *[]string) (int, error) {
	hashed := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], "@") {
			continue
		}
		for _, entry := range strings.Split(fields[0], ",") {
			name, isHashed := knownHostsEntry(entry)
			if isHashed {
				hashed++
			}
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			*names = append(*names, name)
		}
	}
	return hashed, sc.Err()
}

// knownHostsEntry reads one comma-separated host entry: its plain name,
// or "" for patterns, negations and hashed entries (reported as hashed).
func knownHostsEntry(entry string) (name string, hashed bool) {
	switch {
	case entry == "":
		return "", false
	case strings.HasPrefix(entry, "|1|"):
		return "", true
	case entry[0] == '!' || strings.ContainsAny(entry, "*?"):
		return "", false
	case entry[0] == '[':
		end := strings.Index(entry, "]:")
		if end < 0 && strings.HasSuffix(entry, "]") {
			end = len(entry) - 1
		}
		if end <= 1 {
			return "", false
		}
		return entry[1:end], false
	}
	return entry, false
}
