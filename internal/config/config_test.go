package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "fleetcheck.yaml")
	cfg, err := Parse(path, []byte(`
inventory: hosts.yaml
owners: /etc/fleetcheck/owners.yaml
known_hosts: [kh1, /abs/kh2]
defaults: {fanout: 128, timeout: 45s, connect_timeout: 5s, output: json}
checks:
  disk: {warn: 80}
puppetdb: {url: "https://puppetdb:8081", timeout: 5s}
state: var/fleet.db
`))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "hosts.yaml")}; strings.Join(cfg.Inventory, ",") != strings.Join(want, ",") {
		t.Errorf("Inventory = %v, want %v", cfg.Inventory, want)
	}
	if want := filepath.Join(dir, "var", "fleet.db"); cfg.State != want {
		t.Errorf("State = %q, want %q", cfg.State, want)
	}
	if cfg.Owners != "/etc/fleetcheck/owners.yaml" {
		t.Errorf("Owners = %q", cfg.Owners)
	}
	if got := strings.Join(cfg.KnownHosts, ","); got != filepath.Join(dir, "kh1")+",/abs/kh2" {
		t.Errorf("KnownHosts = %q", got)
	}
	if cfg.Defaults.Fanout != 128 || cfg.Defaults.Timeout != 45*time.Second || cfg.Defaults.ConnectTimeout != 5*time.Second || cfg.Defaults.Output != "json" {
		t.Errorf("Defaults = %+v", cfg.Defaults)
	}
	if cfg.Checks == nil || cfg.Checks.Content[0].Value != "disk" || cfg.ChecksFile != path {
		t.Errorf("Checks not kept inline: %v %q", cfg.Checks, cfg.ChecksFile)
	}
	if cfg.PuppetDB.URL != "https://puppetdb:8081" || cfg.PuppetDB.Timeout != 5*time.Second {
		t.Errorf("PuppetDB = %+v", cfg.PuppetDB)
	}
}

// TestParseNotify reads SPEC's example `notify:` section.
func TestParseNotify(t *testing.T) {
	dir := t.TempDir()
	cfg, err := Parse(filepath.Join(dir, "fleetcheck.yaml"), []byte(`
notify:
  smtp: {address: "smtp.example.org:587", from: fleetcheck@example.org, username: fleetcheck,
         password_file: smtp.pass, tls: starttls}
  alertmanager: {url: "http://alertmanager.example.org:9093", resend_interval: 1h}
  timeout: 10s
`))
	if err != nil {
		t.Fatal(err)
	}
	want := Notify{
		SMTP: SMTP{Address: "smtp.example.org:587", From: "fleetcheck@example.org", Username: "fleetcheck",
			PasswordFile: filepath.Join(dir, "smtp.pass"), TLS: "starttls"},
		Alertmanager: Alertmanager{URL: "http://alertmanager.example.org:9093", ResendInterval: time.Hour},
		Timeout:      10 * time.Second,
	}
	if cfg.Notify != want {
		t.Errorf("Notify = %+v, want %+v", cfg.Notify, want)
	}
}

func TestParseChecksFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "checks.yaml"), []byte("checks:\n  puppet: {warn: 2h}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse(filepath.Join(dir, "c.yaml"), []byte("checks: checks.yaml\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Checks == nil || cfg.Checks.Content[0].Value != "puppet" || cfg.ChecksFile != filepath.Join(dir, "checks.yaml") {
		t.Fatalf("checks file not followed: %+v", cfg)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"unknown key", "inventroy: x.yaml\n", `c.yaml:1:1: unknown key "inventroy"`},
		{"bad duration", "defaults:\n  timeout: soon\n", `c.yaml:2:12: timeout: bad duration "soon"`},
		{"bad fanout", "defaults: {fanout: -3}\n", `c.yaml:1:20: fanout: expected a whole number`},
		{"unknown default", "defaults:\n  fanuot: 3\n", `c.yaml:2:3: unknown key "fanuot" in defaults (did you mean "fanout"?)`},
		{"not a mapping", "- a\n- b\n", `c.yaml:1:1: expected a mapping of settings`},
		{"syntax", "inventory: [a\n", `c.yaml:`},
		{"path is a list of lists", "inventory: [[a]]\n", `c.yaml:1:13: inventory: expected a file path, found a list`},
		{"missing checks file", "checks: nope.yaml\n", `c.yaml:1:9: checks file: open`},
		{"unknown notify key", "notify:\n  smpt: {}\n", `c.yaml:2:3: unknown key "smpt" in notify (did you mean "smtp"?)`},
		{"bad smtp tls", "notify:\n  smtp: {address: 'h:25', tls: ssl}\n", `c.yaml:2:32: tls: expected starttls, tls or none`},
		{"smtp address without port", "notify:\n  smtp: {address: smtp.example.org}\n", `c.yaml:2:19: address: expected host:port`},
		{"two password sources", "notify:\n  smtp: {address: 'h:25', password_file: p, password_env: P}\n", `c.yaml:2:9: notify: smtp: password_file and password_env both set`},
		{"bad resend interval", "notify:\n  alertmanager: {url: 'http://am:9093', resend_interval: often}\n", `resend_interval: bad duration "often"`},
		{"bad notify timeout", "notify: {timeout: 10}\n", `c.yaml:1:19: timeout:`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("c.yaml", []byte(tc.text))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if p, err := Locate("", getenv, filepath.Join(dir, "home")); err != nil || p != "" && p != "/etc/fleetcheck/config.yaml" {
		t.Fatalf("no config: got %q, %v", p, err)
	}
	home := filepath.Join(dir, "home")
	userCfg := filepath.Join(home, ".config", "fleetcheck", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(userCfg), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(userCfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := Locate("", getenv, home); p != userCfg {
		t.Errorf("user config: got %q", p)
	}
	if err := os.WriteFile("fleetcheck.yaml", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if p, _ := Locate("", getenv, home); p != "fleetcheck.yaml" {
		t.Errorf("./fleetcheck.yaml first: got %q", p)
	}
	env["FLEETCHECK_CONFIG"] = userCfg
	if p, _ := Locate("", getenv, home); p != userCfg {
		t.Errorf("env wins: got %q", p)
	}
	if _, err := Locate("missing.yaml", getenv, home); err == nil {
		t.Error("explicit missing config: no error")
	}
}

// TestParseSSHConfigNone: "none" disables the client config as the
// --ssh-config flag does; it is not a file next to the config.
func TestParseSSHConfigNone(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ text, want string }{
		{"ssh_config: none\n", "none"},
		{"ssh_config: ssh/config\n", filepath.Join(dir, "ssh", "config")},
		{"ssh_config: ./none\n", filepath.Join(dir, "none")},
	} {
		cfg, err := Parse(filepath.Join(dir, "c.yaml"), []byte(tc.text))
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if cfg.SSHConfig != tc.want {
			t.Errorf("%q: SSHConfig = %q, want %q", tc.text, cfg.SSHConfig, tc.want)
		}
	}
}
