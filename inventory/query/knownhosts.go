package query

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strings"
)

// knownHost is a host name read from a known_hosts file.
type knownHost struct {
	name string
	file string
}

// readKnownHosts returns the host names of OpenSSH known_hosts files, in
// file order without duplicates, each with the first file naming it.
// Files that do not exist are skipped, as OpenSSH does.
func readKnownHosts(files []string) ([]knownHost, error) {
	seen := map[string]bool{}
	var out []knownHost
	for _, file := range files {
		f, err := os.Open(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
		names, err := knownHostsNames(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("known_hosts %s: %w", file, err)
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, knownHost{name: n, file: file})
			}
		}
	}
	return out, nil
}

// knownHostsNames reads the host names of one known_hosts file as cumin's
// knownhosts backend does: blank, comment and hashed lines and lines with
// fewer than three fields are skipped; "@cert-authority" lines count their
// hosts, "@revoked" and unknown markers are skipped; in the hosts field a
// leading "!" is dropped, "[host]:port" gives host, and wildcard patterns
// and IP addresses are not host names. A hosts field starting with '|' is
// one hash for OpenSSH (commas included), so the whole line is skipped.
// Where cumin differs from OpenSSH, K{} follows cumin: OpenSSH reads
// "!name" as a host the line does not apply to.
func knownHostsNames(r io.Reader) ([]string, error) {
	var names []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '|' {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 3 {
			continue
		}
		hosts := fields[0]
		if line[0] == '@' {
			if fields[0] != "@cert-authority" || len(fields) < 4 {
				continue
			}
			hosts = fields[1]
		}
		names = append(names, knownHostsField(hosts)...)
	}
	return names, sc.Err()
}

// knownHostsField returns the host names of a comma-separated hosts field.
func knownHostsField(field string) []string {
	var names []string
	for _, h := range strings.Split(field, ",") {
		h = strings.TrimPrefix(h, "!")
		if strings.HasPrefix(h, "[") {
			h, _, _ = strings.Cut(h[1:], "]")
		}
		if h == "" || strings.ContainsAny(h, "*?") || net.ParseIP(h) != nil {
			continue
		}
		names = append(names, h)
	}
	return names
}
