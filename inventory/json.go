package inventory

import (
	"encoding/json"
	"io"
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
