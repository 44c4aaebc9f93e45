package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// ansibleWant is what both testdata/ansible/hosts.ini and hosts.yaml hold
// (Source aside).
func ansibleWant() []Host {
	se := func(extra map[string]string) map[string]string {
		m := map[string]string{"dc": "se1", "tier": "1", "ntp_server": "ntp.southeast.example.com", "country": "us"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	web := []string{"all", "southeast", "usa", "webservers"}
	db := []string{"all", "dbservers", "southeast", "usa"}
	return []Host{
		{Name: "mail.example.com", User: "admin", Labels: map[string]string{"country": "unknown"}, Groups: []string{"all", "ungrouped"}},
		{Name: "foo.example.com", Port: 2222, Labels: se(map[string]string{"role": "web"}), Groups: []string{"all", "dbservers", "southeast", "usa", "webservers"}},
		{Name: "bar.example.com", Port: 2200, User: "deploy", Labels: se(nil), Groups: web},
		{Name: "www01.example.com", Labels: se(map[string]string{"tier": "2"}), Groups: web},
		{Name: "www21.example.com", Labels: se(map[string]string{"tier": "2"}), Groups: web},
		{Name: "www41.example.com", Labels: se(map[string]string{"tier": "2"}), Groups: web},
		{Name: "db-a.example.com", Labels: se(nil), Groups: db},
		{Name: "db-b.example.com", Labels: se(nil), Groups: db},
		{Name: "db-c.example.com", Labels: se(nil), Groups: db},
		{Name: "one.example.com", Address: "192.0.2.50", IdentityFile: "/keys/db", Labels: se(map[string]string{"dc": "dc 1"}), Groups: db},
	}
}

func TestLoadAnsibleValid(t *testing.T) {
	tests := []struct {
		file    string
		sources []string // Source of each host, in order
	}{
		{"testdata/ansible/hosts.ini", []string{"2", "5", "6", "7", "7", "7", "10", "10", "10", "11"}},
		{"testdata/ansible/hosts.yaml", []string{"3", "11", "14", "16", "16", "16", "21", "21", "21", "22"}},
	}
	for _, tt := range tests {
		inv, err := LoadFile(tt.file)
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		want := ansibleWant()
		for i := range want {
			want[i].Source = tt.file + ":" + tt.sources[i]
		}
		if len(inv.Hosts) != len(want) {
			t.Fatalf("%s: %d hosts, want %d: %+v", tt.file, len(inv.Hosts), len(want), inv.Hosts)
		}
		for i := range want {
			if !reflect.DeepEqual(inv.Hosts[i], want[i]) {
				t.Errorf("%s host %d:\n got %+v\nwant %+v", tt.file, i, inv.Hosts[i], want[i])
			}
		}
	}
}

func TestAnsibleGroupsAsLabels(t *testing.T) {
	inv, err := LoadFile("testdata/ansible/hosts.ini")
	if err != nil {
		t.Fatal(err)
	}
	foo, _ := inv.Lookup("foo.example.com")
	for _, g := range []string{"all", "webservers", "dbservers", "southeast", "usa"} {
		if !foo.HasLabel("group", g) {
			t.Errorf("foo.HasLabel(group, %s) = false", g)
		}
	}
	if foo.HasLabel("group", "ungrouped") || foo.HasLabel("group", "web") {
		t.Error("foo has a group it is not in")
	}
	if !foo.HasLabel("role", "web") || foo.HasLabel("role", "db") || foo.HasLabel("nope", "") {
		t.Error("HasLabel on plain labels is wrong")
	}
	if got, want := foo.LabelValues("group"), []string{"all", "dbservers", "southeast", "usa", "webservers"}; !reflect.DeepEqual(got, want) {
		t.Errorf("LabelValues(group) = %v, want %v", got, want)
	}
	if got := foo.LabelValues("role"); !reflect.DeepEqual(got, []string{"web"}) {
		t.Errorf("LabelValues(role) = %v", got)
	}
}

func TestLoadAnsibleErrors(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"section_type.ini", `section_type.ini:1:6: unknown section type "foo"; expected [web], [web:children] or [web:vars]`},
		{"section_close.ini", `section_close.ini:1:5: expected ']' to end the section header [web`},
		{"host_novalue.ini", `host_novalue.ini:2:6: expected key=value after the host name, found "role"`},
		{"quote.ini", `quote.ini:2:11: unterminated " quote`},
		{"range_width.ini", `range_width.ini:2:5: host "web[01:5].example.org": host range [01:5]: begin and end must have the same width when padded`},
		{"range_reversed.ini", `range_reversed.ini:2:5: host "web[5:1]": host range [5:1]: begin is greater than end`},
		{"port.ini", `port.ini:2:19: ansible_port: expected a port from 1 to 65535, found "abc"`},
		{"child_all.ini", `child_all.ini:2:1: group "all" cannot be a child of "web"`},
		{"cycle.ini", `cycle.ini: group cycle: a -> b -> a`},
		{"pattern_port.ini", `pattern_port.ini:2:6: host "web1:99999": port "99999" after ':' must be a number from 1 to 65535`},
		{"var_noeq.ini", `var_noeq.ini:2:1: expected key=value in [web:vars], found "role web"`},
		{"group_space.ini", `group_space.ini:1:2: section [my group]: unexpected character ' ' in a group name`},
		{"label_key.ini", `label_key.ini:2:11: variable "1abc" cannot be a label: unexpected character '1'; expected letters, digits, '_', '-', '.' or '/', starting with a letter`},
		{"range_open.ini", `range_open.ini:2:4: host "web[1:3": '[' without a matching ']'`},
		{"name_char.ini", `name_char.ini:2:1: host "web+1": character '+' is not allowed in a host name (letters, digits, '.', '-', '_', ':')`},
		{"name_space.yaml", `name_space.yaml:3:5: host "web 1": character ' ' is not allowed in a host name (letters, digits, '.', '-', '_', ':')`},
		{"group_typo.yaml", `group_typo.yaml:2:3: unknown key "host" in group all (did you mean "hosts"?)`},
		{"hosts_list.yaml", `hosts_list.yaml:3:5: hosts of group all: expected a mapping, found a list`},
		{"range.yaml", `range.yaml:3:9: host "web[3:1]": host range [3:1]: begin is greater than end`},
		{"port.yaml", `port.yaml:4:21: ansible_port: expected a port from 1 to 65535, found "abc"`},
		{"child_all.yaml", `child_all.yaml:3:5: group "all" cannot be a child of "web"`},
		{"host_vars_list.yaml", `host_vars_list.yaml:3:11: vars of host web1: expected a mapping, found a list`},
		{"range_open.yaml", `range_open.yaml:3:9: host "web[1:2": '[' without a matching ']'`},
	}
	for _, tt := range tests {
		path := filepath.Join("testdata/ansible/bad", tt.file)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		load := LoadAnsibleINI
		if strings.HasSuffix(path, ".yaml") {
			load = LoadAnsibleYAML
		}
		_, err = load(path, data)
		if err == nil {
			t.Errorf("%s: no error, want %s", tt.file, tt.want)
			continue
		}
		if got := err.Error(); got != "testdata/ansible/bad/"+tt.want {
			t.Errorf("%s:\n got %s\nwant testdata/ansible/bad/%s", tt.file, got, tt.want)
		}
		var pe *posfile.Error
		if !errors.As(err, &pe) || pe.File != path {
			t.Errorf("%s: error %T is not a *posfile.Error for the file", tt.file, err)
		}
	}
}

// TestAnsibleYAMLAliases checks that group bodies shared through YAML
// aliases give every group its hosts (and are read once per name).
func TestAnsibleYAMLAliases(t *testing.T) {
	data := `all:
  children:
    a0: &a0 {hosts: {h1: {x: 1}}}
    a1: &a1 {children: {b0: *a0, c0: *a0}}
    a2: &a2 {children: {b1: *a1, c1: *a1}}
    a3: {children: {b2: *a2, c2: *a2}}
`
	inv, err := LoadAnsibleYAML("aliases.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Hosts) != 1 {
		t.Fatalf("hosts = %+v, want h1 only", inv.Hosts)
	}
	h := inv.Hosts[0]
	want := []string{"a0", "a1", "a2", "a3", "all", "b0", "b1", "b2", "c0", "c1", "c2"}
	if !reflect.DeepEqual(h.Groups, want) || h.Labels["x"] != "1" || h.Source != "aliases.yaml:3" {
		t.Errorf("h1 = %+v, want groups %v, x=1, source aliases.yaml:3", h, want)
	}
}
