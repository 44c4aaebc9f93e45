package checks

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"go.yaml.in/yaml/v3"
)

// fakeCheck records the params it was built with.
type fakeCheck struct {
	name   string
	params Params
}

func (f *fakeCheck) Name() string           { return f.name }
func (f *fakeCheck) Command() string        { return "true" }
func (f *fakeCheck) Evaluate(Output) Result { return Result{Summary: "fake"} }

// configTestRegistry is the built-ins plus "fake", a type whose parameters
// are a size and a percentage, as the disk and memory checks have.
func configTestRegistry() Registry {
	reg := Builtins()
	reg["fake"] = Builtin{
		Name: "fake",
		Help: "test double",
		Params: []Param{
			{Name: "size"}, {Name: "percent"}, {Name: "ratio"}, {Name: "on"}, {Name: "list"},
		},
		New: func(name string, p Params) (Check, error) {
			if err := p.CheckKnown("size", "percent", "ratio", "on", "list"); err != nil {
				return nil, err
			}
			if s, ok := p["size"].(string); ok {
				if _, err := ParseSize(s); err != nil {
					return nil, &ParamError{Key: "size", Err: err}
				}
			}
			pct, err := p.Float("percent", 0)
			if err != nil {
				return nil, err
			}
			if pct < 0 || pct > 100 {
				return nil, paramErr("percent", "want a percentage 0..100, got %v", p["percent"])
			}
			return &fakeCheck{name: name, params: p}, nil
		},
	}
	return reg
}

// loadTestConfig parses a YAML file and loads the mapping under checks:.
func loadTestConfig(t *testing.T, path string) ([]Configured, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "checks" {
			return LoadConfig(path, root.Content[i+1], configTestRegistry())
		}
	}
	t.Fatalf("%s: no checks: key", path)
	return nil, nil
}

func TestLoadConfigValid(t *testing.T) {
	got, err := loadTestConfig(t, "testdata/config/valid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name, Type, Hosts, Command string
		Timeout                    time.Duration
		Line                       int
	}
	var rows []row
	for _, c := range got {
		rows = append(rows, row{c.Check.Name(), c.Type, c.Hosts, c.Check.Command(), c.Timeout, c.Line})
	}
	want := []row{
		{"nginx-procs", "nagios", "role=web", "/usr/lib/nagios/plugins/check_procs -c 1: -C nginx", 10 * time.Second, 4},
		{"certs", "certs", "", rows[1].Command, 0, 8},
		{"web-units", "service", "role=web and dc=dc1", rows[2].Command, 0, 9},
		{"health", "http", "", rows[3].Command, 5 * time.Second, 13},
		{"health-slow", "http", "", rows[4].Command, 5 * time.Second, 18},
		{"ping", "nagios", "", "/usr/lib/nagios/plugins/check_ping -H 127.0.0.1 -w 100,20% -c 500,60%", 0, 22},
		{"quota", "fake", "", "true", 0, 25},
		{"fake", "fake", "", "true", 0, 26},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("got\n%+v\nwant\n%+v", rows, want)
	}
	// The http checks got the merged parameters; the timeout went to curl.
	h := got[4].Check.(*httpCheck)
	if h.url != "https://127.0.0.1/slow" || h.expect != 200 || h.warn != 2*time.Second || h.timeout != 5*time.Second {
		t.Errorf("health-slow = %+v", h)
	}
	if c := got[1].Check.(*certsCheck); c.warn != 30*24*time.Hour || len(c.files) != 2 {
		t.Errorf("certs = %+v", c)
	}
	wantParams := Params{"size": "10GiB", "percent": "85%", "ratio": 0.5, "on": true, "list": []any{1, "two", 3.5}}
	if p := got[6].Check.(*fakeCheck).params; !reflect.DeepEqual(p, wantParams) {
		t.Errorf("fake params = %#v, want %#v", p, wantParams)
	}
}

func TestLoadConfigEmpty(t *testing.T) {
	got, err := loadTestConfig(t, "testdata/config/empty.yaml")
	if err != nil || len(got) != 0 {
		t.Errorf("empty checks: = %v, %v", got, err)
	}
	if got, err := LoadConfig("x.yaml", nil, Builtins()); err != nil || got != nil {
		t.Errorf("nil node = %v, %v", got, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	const known = "certs, disk, fake, http, load, memory, nagios, ntp, puppet, reboot, service, systemd"
	tests := []struct{ file, want string }{
		{"unknown_type", `:2:3: check "nginx": unknown check type "nginx": name a built-in, or give type: or nagios: (known: ` + known + `)`},
		{"unknown_param", `:4:5: unknown key "days" in check "certs"; expected one of files, warn, crit, hosts, timeout, type`},
		{"bad_duration", `:4:11: check "certs": parameter "warn": bad duration "soon": expected a number and a unit such as 90s, 15m, 1h or 7d`},
		{"bad_timeout", `:4:14: check "certs": timeout: bad duration "forever": expected a number and a unit such as 90s, 15m, 1h or 7d`},
		{"zero_timeout", `:2:35: check "certs": timeout: expected a positive duration such as 10s, found "0s"`},
		{"wrong_type", `:4:12: check "web-units": parameter "units": expected a string, number, boolean or list, found a mapping`},
		{"wrong_item_type", `:6:9: check "web-units": parameter "units": item 2: expected a string, number or boolean, found a list`},
		{"duplicate_name", `:4:3: checks: key "web-units" repeated (first at line 2, column 3)`},
		{"duplicate_key", `:5:5: check "web-units": key "units" repeated (first at line 4, column 5)`},
		{"explicit_type_unknown", `:3:11: check "web-units": unknown check type "servce" (known: ` + known + `)`},
		{"nagios_not_string", `:3:13: check "procs": nagios: expected the plugin command line as a string, found a list`},
		{"nagios_with_other_type", `:4:5: check "procs": nagios: given for a check of type "service"`},
		{"nagios_and_command", `:4:5: check "procs": both nagios: and command: given`},
		{"nagios_empty", `:3:13: check "procs": parameter "command": required: the plugin command line`},
		{"not_mapping", `:2:3: checks: expected a mapping of check names to parameters, found a list`},
		{"check_not_mapping", `:2:10: check "certs": expected a mapping of parameters, found a list`},
		{"bad_hosts", `:4:12: check "certs": hosts: expected a host query such as 'role=web', found a list`},
		{"bad_size", `:2:29: check "quota": parameter "size": bad size "10 gigs": unknown unit " gigs" (want B, KB, KiB, MB, MiB, GB, GiB, TB or TiB)`},
		{"bad_percent", `:2:32: check "quota": parameter "percent": want a percentage 0..100, got 120%`},
		{"required_missing", `:2:3: check "tls": parameter "files": required: a list of certificate files`},
		{"merge_not_mapping", `:3:10: check "a": <<: expected a mapping to merge, found the integer 1`},
		{"merge_too_deep", `:3:8: check "deep": <<: merges nested more than 10 deep`},
		{"bad_name", `:2:3: checks: check name "web units": expected no white space, control characters or commas`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "config", tt.file+".yaml")
			_, err := loadTestConfig(t, path)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var pe *posfile.Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *posfile.Error", err, err)
			}
			if got := err.Error(); got != path+tt.want {
				t.Errorf("error\n got %q\nwant %q", got, path+tt.want)
			}
		})
	}
}

// sizeUnit returns the multiplier of a ParseSize unit.
func sizeUnit(unit string) (float64, bool) {
	switch unit {
	case "B":
		return 1, true
	case "KB":
		return 1e3, true
	case "KiB":
		return 1 << 10, true
	case "MB":
		return 1e6, true
	case "MiB":
		return 1 << 20, true
	case "GB":
		return 1e9, true
	case "GiB":
		return 1 << 30, true
	case "TB":
		return 1e12, true
	case "TiB":
		return 1 << 40, true
	}
	return 0, false
}

// ParseSize parses a byte size such as "512MiB", "10GB" or "1.5TiB"
// (KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024; a
// bare integer is bytes). Units are case-sensitive and follow the number
// directly.
func ParseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], s[i:]
	if num == "" || !isPlainNumber(num) {
		return 0, fmt.Errorf("bad size %q: want a number and a unit such as 512MiB or 10GB", s)
	}
	mult := 1.0
	if unit != "" {
		m, ok := sizeUnit(unit)
		if !ok {
			return 0, fmt.Errorf("bad size %q: unknown unit %q (want B, KB, KiB, MB, MiB, GB, GiB, TB or TiB)", s, unit)
		}
		mult = m
	} else if strings.Contains(num, ".") {
		return 0, fmt.Errorf("bad size %q: a bare number is bytes and must be whole", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad size %q: %w", s, err)
	}
	bytes := v * mult
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("bad size %q: too large", s)
	}
	if bytes != math.Trunc(bytes) {
		return 0, fmt.Errorf("bad size %q: not a whole number of bytes", s)
	}
	return int64(bytes), nil
}
