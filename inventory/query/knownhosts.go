package query

import (
	"net"

	"github.com/fleetcheck/fleetcheck/inventory"
)

// knownHost is a host name read from a known_hosts file.
type knownHost struct {
	name string
	file string
}

// readKnownHosts returns the plain host names of OpenSSH known_hosts files
// (as inventory.LoadKnownHosts reads them), in file order without
// duplicates, each with the first file naming it. As in cumin, IP
// addresses are not host names and are left out.
func readKnownHosts(files []string) ([]knownHost, error) {
	seen := map[string]bool{}
	var out []knownHost
	for _, file := range files {
		names, _, err := inventory.LoadKnownHosts(file)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if net.ParseIP(n) == nil && !seen[n] {
				seen[n] = true
				out = append(out, knownHost{name: n, file: file})
			}
		}
	}
	return out, nil
}
