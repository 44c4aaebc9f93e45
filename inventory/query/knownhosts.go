package query

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// knownHost is a host name read from a known_hosts file.
type knownHost struct {
	name string
	file string
}

// readKnownHosts returns the plain host names of OpenSSH known_hosts files,
// in file order without duplicates. Hashed entries ("|1|..."), marker lines
// (@cert-authority, @revoked) and wildcard or negated patterns name no host
// and are skipped; "[host]:port" gives host.
func readKnownHosts(files []string) ([]knownHost, error) {
	seen := map[string]bool{}
	var out []knownHost
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 2 || strings.HasPrefix(fields[0], "#") || strings.HasPrefix(fields[0], "@") {
				continue
			}
			for _, h := range strings.Split(fields[0], ",") {
				if strings.HasPrefix(h, "[") {
					if end := strings.Index(h, "]"); end > 0 {
						h = h[1:end]
					}
				}
				if h == "" || strings.HasPrefix(h, "|") || strings.ContainsAny(h, "*?!") || seen[h] {
					continue
				}
				seen[h] = true
				out = append(out, knownHost{name: h, file: file})
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("known_hosts %s: %w", file, err)
		}
	}
	return out, nil
}
