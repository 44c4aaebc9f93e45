package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

func TestLoadNativeValid(t *testing.T) {
	inv, err := LoadFile("testdata/native/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src := "testdata/native/valid.yaml:"
	want := []Host{
		{Name: "web0001.dc1.example.org", Port: 22, User: "root", IdentityFile: "~/.ssh/fleet", Labels: map[string]string{"role": "web", "dc": "dc1"}, Source: src + "4"},
		{Name: "web0002.dc1.example.org", Port: 22, User: "root", IdentityFile: "~/.ssh/fleet", Labels: map[string]string{"role": "web", "dc": "dc1"}, Source: src + "4"},
		{Name: "web0003.dc1.example.org", Port: 22, User: "root", IdentityFile: "~/.ssh/fleet", Labels: map[string]string{"role": "web", "dc": "dc1"}, Source: src + "4"},
		{Name: "db0001.dc1.example.org", Address: "10.0.0.5", Port: 2222, User: "root", IdentityFile: "~/.ssh/fleet",
			Labels: map[string]string{"role": "db", "dc": "dc1", "cluster": "db-main", "shard": "3", "primary": "true"}, Source: src + "6"},
		{Name: "cache1.dc2.example.org", Port: 22, User: "deploy", IdentityFile: "/etc/fleetcheck/cache_key", Labels: map[string]string{"role": "cache", "dc": "dc2"}, Source: src + "10"},
		{Name: "cache2.dc2.example.org", Port: 22, User: "deploy", IdentityFile: "/etc/fleetcheck/cache_key", Labels: map[string]string{"role": "cache", "dc": "dc2"}, Source: src + "10"},
		{Name: "bare.example.org", Port: 22, User: "root", IdentityFile: "~/.ssh/fleet", Source: src + "16"},
	}
	if !reflect.DeepEqual(inv.Hosts, want) {
		t.Errorf("hosts:\n got %+v\nwant %+v", inv.Hosts, want)
	}
	wantAliases := map[string]string{"canaries": "web[0001-0003].dc1.example.org", "dc1": "dc=dc1"}
	if !reflect.DeepEqual(inv.Aliases, wantAliases) {
		t.Errorf("aliases = %v, want %v", inv.Aliases, wantAliases)
	}
	if h, ok := inv.Lookup("cache2.dc2.example.org"); !ok || h.User != "deploy" {
		t.Errorf("Lookup(cache2) = %+v, %v", h, ok)
	}
	// Hosts of one node set must not share a labels map.
	inv.Hosts[0].Labels["role"] = "changed"
	if inv.Hosts[1].Labels["role"] != "web" {
		t.Error("hosts expanded from one entry share their labels map")
	}
}

func TestLoadNativeErrors(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"top_typo.yaml", `top_typo.yaml:2:1: unknown key "host" in the inventory (did you mean "hosts"?)`},
		{"host_typo.yaml", `host_typo.yaml:3:5: unknown key "prot" in a host (did you mean "port"?)`},
		{"port_range.yaml", `port_range.yaml:3:11: port: port 70000 out of range; expected 1 to 65535`},
		{"port_string.yaml", `port_string.yaml:3:11: port: expected an integer port, found "22"`},
		{"port_zero.yaml", `port_zero.yaml:3:11: port: port 0 out of range; expected 1 to 65535`},
		{"empty_name.yaml", `empty_name.yaml:2:11: name: empty; expected a host name or node set`},
		{"missing_name.yaml", `missing_name.yaml:2:5: host has no 'name:'; expected a host name or node set`},
		{"bad_nodeset.yaml", `bad_nodeset.yaml:2:18: name "web[1-3.example.org": bad node set: expected a digit, '-', '/', ',' or ']' in a range set, found '.'`},
		{"bad_nodeset_quoted.yaml", `bad_nodeset_quoted.yaml:2:16: name "web[3-1]": bad node set: range 3-1: start is greater than end`},
		{"duplicate.yaml", `duplicate.yaml:3:11: duplicate host "web2": defined here and at testdata/native/bad/duplicate.yaml:2:11`},
		{"address_nodeset.yaml", `address_nodeset.yaml:3:14: address given for "web[1-3]", which expands to 3 hosts; an address fits one host only`},
		{"label_mapping.yaml", `label_mapping.yaml:3:20: label role: expected a string, found a mapping`},
		{"labels_list.yaml", `labels_list.yaml:3:13: labels: expected a mapping, found a list`},
		{"label_null.yaml", `label_null.yaml:3:20: label role: expected a string, found nothing (null)`},
		{"label_key.yaml", `label_key.yaml:3:14: label key "ro le": unexpected character ' '; expected letters, digits, '_', '-', '.' or '/', starting with a letter`},
		{"empty.yaml", `empty.yaml: inventory is empty; expected a mapping with a 'hosts:' list`},
		{"comment_only.yaml", `comment_only.yaml: inventory is empty; expected a mapping with a 'hosts:' list`},
		{"no_hosts.yaml", `no_hosts.yaml:1:1: inventory has no 'hosts:' list; expected hosts: [{name: ...}, ...]`},
		{"hosts_scalar.yaml", `hosts_scalar.yaml:1:8: hosts: expected a list of hosts, found "web1"`},
		{"host_scalar.yaml", `host_scalar.yaml:2:5: host: expected a mapping, found "web1"`},
		{"syntax.yaml", `syntax.yaml:3: invalid YAML: did not find expected '-' indicator`},
		{"tabs.yaml", `tabs.yaml:3: invalid YAML: found a tab character that violates indentation`},
		{"defaults_typo.yaml", `defaults_typo.yaml:1:12: unknown key "usr" in defaults (did you mean "user"?)`},
		{"dup_key.yaml", `dup_key.yaml:4:5: host: key "user" repeated (first at line 3, column 5)`},
		{"user_int.yaml", `user_int.yaml:3:11: user: expected a string, found the integer 1000`},
		{"alias_list.yaml", `alias_list.yaml:4:13: alias canaries: expected a string, found a list`},
		{"alias_name.yaml", `alias_name.yaml:4:3: alias "bad alias": unexpected character ' '; expected letters, digits, '_', '-' or '.'`},
		{"empty_address.yaml", `empty_address.yaml:3:14: address: empty; expected a host name or IP address`},
		{"glob_name.yaml", `glob_name.yaml:2:11: name "web*": character '*' is not allowed in a host name (letters, digits, '.', '-', '_', ':')`},
		{"top_list.yaml", `top_list.yaml:1:1: inventory: expected a mapping, found a list`},
	}
	for _, tt := range tests {
		path := filepath.Join("testdata/native/bad", tt.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = LoadNative(path, data)
		if err == nil {
			t.Errorf("%s: no error, want %s", tt.file, tt.want)
			continue
		}
		if got := err.Error(); got != "testdata/native/bad/"+tt.want {
			t.Errorf("%s:\n got %s\nwant testdata/native/bad/%s", tt.file, got, tt.want)
		}
		var pe *posfile.Error
		if !errors.As(err, &pe) || pe.File != path {
			t.Errorf("%s: error %T is not a *posfile.Error for the file", tt.file, err)
		}
	}
}
