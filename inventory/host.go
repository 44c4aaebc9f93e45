// Package inventory holds hosts, the inventory sources they come from
// (native YAML, Ansible, known_hosts, PuppetDB) and the aliases of named
// queries. It knows nothing of SSH or checks.
package inventory

import (
	"fmt"
	"sort"
)

// Host is one machine of the fleet as the inventory describes it. Zero
// fields are unset: the runner fills them from the OpenSSH client config,
// then from port 22 and the current user.
type Host struct {
	Name         string            // inventory name, unique
	Address      string            // where to connect; "" means the OpenSSH HostName, else Name
	Port         int               // 0 means unset
	User         string            // "" means unset
	IdentityFile string            // private key path; "" means unset
	Labels       map[string]string // role, dc, cluster, group, any key
	Source       string            // where the host came from: "file.yaml:12", "D{}", "K{file}"
	Groups       []string          // Ansible groups holding the host, ancestors included, sorted
}

// Label returns the value of a label and whether the host has it.
func (h Host) Label(key string) (string, bool) {
	v, ok := h.Labels[key]
	return v, ok
}

// HasLabel reports whether the host has label key with value. Key "group"
// also matches each of Groups, so a host in several Ansible groups answers
// true to group=NAME for every one of them.
func (h Host) HasLabel(key, value string) bool {
	if key == "group" {
		for _, g := range h.Groups {
			if g == value {
				return true
			}
		}
	}
	v, ok := h.Labels[key]
	return ok && v == value
}

// LabelValues returns every value the host has for key: for "group", each
// of Groups and then Labels["group"] if set and different; else the label's
// value if set. Regex and != matches in queries range over these.
func (h Host) LabelValues(key string) []string {
	var out []string
	if key == "group" {
		out = append(out, h.Groups...)
	}
	if v, ok := h.Labels[key]; ok {
		for _, g := range out {
			if g == v {
				return out
			}
		}
		out = append(out, v)
	}
	return out
}

// Inventory is a loaded set of hosts with its aliases.
type Inventory struct {
	Hosts   []Host            // in file order, names unique
	Aliases map[string]string // alias name -> query text
	byName  map[string]int
}

// New builds an inventory, rejecting duplicate names.
func New(hosts []Host, aliases map[string]string) (*Inventory, error) {
	inv := &Inventory{Hosts: hosts, Aliases: aliases, byName: make(map[string]int, len(hosts))}
	if inv.Aliases == nil {
		inv.Aliases = map[string]string{}
	}
	for i, h := range hosts {
		if j, dup := inv.byName[h.Name]; dup {
			return nil, fmt.Errorf("duplicate host %q (%s and %s)", h.Name, hosts[j].Source, h.Source)
		}
		inv.byName[h.Name] = i
	}
	return inv, nil
}

// Lookup returns the host named name.
func (inv *Inventory) Lookup(name string) (Host, bool) {
	i, ok := inv.byName[name]
	if !ok {
		return Host{}, false
	}
	return inv.Hosts[i], true
}

// Names returns every host name, sorted.
func (inv *Inventory) Names() []string {
	out := Names(inv.Hosts)
	sort.Strings(out)
	return out
}

// Names are the names of hosts, in their order.
func Names(hosts []Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}
