package inventory

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/fleetcheck/fleetcheck/inventory/nodeset"
)

// jsonHost is one host as WriteJSON writes it.
type jsonHost struct {
	Name    string            `json:"name"`
	Address string            `json:"address,omitempty"`
	Port    int               `json:"port,omitempty"`
	User    string            `json:"user,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	Source  string            `json:"source,omitempty"`
}

// WriteJSON writes hosts as an indented JSON array of objects (name,
// address, port, user, labels, source; empty fields left out).
func WriteJSON(w io.Writer, hosts []Host) error {
	out := make([]jsonHost, len(hosts))
	for i, h := range hosts {
		out[i] = jsonHost{h.Name, h.Address, h.Port, h.User, h.Labels, h.Source}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteText writes the names of hosts to w for people: one a line (list),
// else folded into a node set (web[01-03]) with the count on stderr.
func WriteText(w, stderr io.Writer, hosts []Host, list bool) error {
	names := Names(hosts)
	if list {
		_, err := fmt.Fprintln(w, strings.Join(names, "\n"))
		return err
	}
	fmt.Fprintf(stderr, "%d hosts\n", len(names))
	_, err := fmt.Fprintln(w, nodeset.Fold(names))
	return err
}
