package runner

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory"
)

const testSSHConfig = `
Host web*.example.org !web9.example.org
  HostName %h.internal
  User deploy
  Port 2222
  IdentityFile ~/.ssh/web_key
  IdentityFile /keys/%r@%h
  StrictHostKeyChecking accept-new
  ConnectTimeout 3

Host db1
  HostName 10.0.0.5
  ProxyJump bastion-a, admin@bastion-b:2200
  UserKnownHostsFile ~/kh1 /etc/kh2

Host bastion-a
  HostName 192.0.2.1
  User jump

Host *
  User fallback
  StrictHostKeyChecking yes
`

func TestResolveHost(t *testing.T) {
	dir := t.TempDir()
	sc, err := loadSSHConfig(writeFile(t, dir, "config", testSSHConfig), "/home/me")
	if err != nil {
		t.Fatal(err)
	}
	base := resolver{ssh: sc, home: "/home/me", defaultUser: "me", localUser: "me"}
	tests := []struct {
		name     string
		r        resolver
		host     inventory.Host
		want     endpoint
		wantHops []string
	}{
		{
			name: "ssh_config fills everything",
			r:    base,
			host: inventory.Host{Name: "web1.example.org"},
			want: endpoint{
				alias: "web1.example.org", host: "web1.example.org.internal", port: 2222, user: "deploy",
				identityFiles:  []string{"/home/me/.ssh/web_key", "/keys/deploy@web1.example.org.internal"},
				knownHosts:     []string{"/home/me/.ssh/known_hosts"},
				strict:         false,
				acceptNew:      true,
				connectTimeout: 3 * time.Second,
			},
		},
		{
			name: "inventory fields win",
			r:    base,
			host: inventory.Host{Name: "web1.example.org", Address: "10.1.1.1", Port: 22, User: "ops", IdentityFile: "~/id_ops"},
			want: endpoint{
				alias: "web1.example.org", host: "10.1.1.1", port: 22, user: "ops",
				identityFiles:  []string{"/home/me/id_ops", "/home/me/.ssh/web_key", "/keys/ops@10.1.1.1"},
				knownHosts:     []string{"/home/me/.ssh/known_hosts"},
				strict:         false,
				acceptNew:      true,
				connectTimeout: 3 * time.Second,
			},
		},
		{
			name: "negated pattern falls to Host *",
			r:    base,
			host: inventory.Host{Name: "web9.example.org"},
			want: endpoint{
				alias: "web9.example.org", host: "web9.example.org", port: 22, user: "fallback",
				knownHosts: []string{"/home/me/.ssh/known_hosts"}, strict: true, connectTimeout: defaultConnectTimeout,
			},
		},
		{
			name: "proxy jump and known hosts files",
			r:    base,
			host: inventory.Host{Name: "db1"},
			want: endpoint{
				alias: "db1", host: "10.0.0.5", port: 22, user: "fallback",
				knownHosts: []string{"/home/me/kh1", "/etc/kh2"}, strict: true, connectTimeout: defaultConnectTimeout,
			},
			wantHops: []string{"bastion-a", "admin@bastion-b:2200"},
		},
		{
			name: "runner config overrides known hosts and connect timeout",
			r: func() resolver {
				r := base
				r.knownHosts = []string{"/fleet/known_hosts"}
				r.connectTimeout = 7 * time.Second
				return r
			}(),
			host: inventory.Host{Name: "db1"},
			want: endpoint{
				alias: "db1", host: "10.0.0.5", port: 22, user: "fallback",
				knownHosts: []string{"/fleet/known_hosts"}, strict: true, connectTimeout: 7 * time.Second,
			},
			wantHops: []string{"bastion-a", "admin@bastion-b:2200"},
		},
		{
			name: "no ssh_config: defaults",
			r:    resolver{home: "/home/me", defaultUser: "fleet", localUser: "me"},
			host: inventory.Host{Name: "web1.example.org"},
			want: endpoint{
				alias: "web1.example.org", host: "web1.example.org", port: 22, user: "fleet",
				knownHosts: []string{"/home/me/.ssh/known_hosts"}, strict: true, connectTimeout: defaultConnectTimeout,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, hops, err := tt.r.resolveHost(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("endpoint =\n%+v\nwant\n%+v", got, tt.want)
			}
			if !reflect.DeepEqual(hops, tt.wantHops) {
				t.Errorf("hops = %q, want %q", hops, tt.wantHops)
			}
		})
	}
}

func TestResolveJump(t *testing.T) {
	dir := t.TempDir()
	sc, err := loadSSHConfig(writeFile(t, dir, "config", testSSHConfig), "/home/me")
	if err != nil {
		t.Fatal(err)
	}
	r := resolver{ssh: sc, home: "/home/me", defaultUser: "me", localUser: "me"}
	tests := []struct {
		spec     string
		wantAddr string
		wantUser string
	}{
		{"bastion-a", "192.0.2.1:22", "jump"},
		{"admin@bastion-b:2200", "bastion-b:2200", "admin"},
		{"bastion-a:2022", "192.0.2.1:2022", "jump"},
		{"[::1]:2022", "[::1]:2022", "fallback"},
	}
	for _, tt := range tests {
		ep, err := r.resolveJump(tt.spec)
		if err != nil {
			t.Fatalf("resolveJump(%q): %v", tt.spec, err)
		}
		if ep.addr() != tt.wantAddr || ep.user != tt.wantUser {
			t.Errorf("resolveJump(%q) = %s as %s, want %s as %s", tt.spec, ep.addr(), ep.user, tt.wantAddr, tt.wantUser)
		}
	}
	for _, bad := range []string{"host:port", "@"} {
		if _, err := r.resolveJump(bad); err == nil {
			t.Errorf("resolveJump(%q) = nil error, want one", bad)
		}
	}
}

func TestLoadSSHConfig(t *testing.T) {
	dir := t.TempDir()
	if c, err := loadSSHConfig("none", dir); err != nil || c != nil {
		t.Errorf(`"none" = %v, %v; want disabled`, c, err)
	}
	if c, err := loadSSHConfig("", dir); err != nil || c != nil {
		t.Errorf("missing default = %v, %v; want nil, nil", c, err)
	}
	if _, err := loadSSHConfig(filepath.Join(dir, "absent"), dir); err == nil {
		t.Error("missing explicit file: want an error")
	}
	writeFile(t, dir, "config", "Host x\n  Port 2\n")
	if err := osMkdirSSH(dir); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".ssh"), "config", "Host x\n  Port 3\n")
	c, err := loadSSHConfig("", dir)
	if err != nil || c.settings("x").port != "3" {
		t.Errorf("default ~/.ssh/config not read: %v", err)
	}
}

func TestStrictHostKeys(t *testing.T) {
	for v, want := range map[string]bool{"": true, "yes": true, "ask": true, "accept-new": false, "no": false, "off": false, "Accept-New": false} {
		if got := strictHostKeys(v); got != want {
			t.Errorf("strictHostKeys(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestSettingsAgreesWithLibrary checks the one-pass lookup against the
// library's Get and GetAll, includes and negations included.
func TestSettingsAgreesWithLibrary(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "included", `Host inc*
  User from-include
  IdentityFile /keys/included
  ProxyJump jumper
`)
	cfgPath := writeFile(t, dir, "config", testSSHConfig+`
Host inc1 other
  Include `+inc+`
  Port 2200
  IdentityFile /keys/after
`)
	c, err := loadSSHConfig(cfgPath, dir)
	if err != nil {
		t.Fatal(err)
	}
	if s := c.settings("inc1"); s.proxyJump != "jumper" || fmt.Sprint(s.identityFiles) != "[/keys/included /keys/after]" {
		t.Errorf("inc1: ProxyJump %q IdentityFile %q: the include was not searched in place", s.proxyJump, s.identityFiles)
	}
	for _, alias := range []string{"web1.example.org", "web9.example.org", "db1", "bastion-a", "inc1", "inc2", "other", "nothing"} {
		got := c.settings(alias)
		for i, key := range settingKeys {
			want, _ := c.cfg.Get(alias, key)
			if *got.field(i) != strings.TrimSpace(want) {
				t.Errorf("%s %s = %q, library says %q", alias, key, *got.field(i), want)
			}
		}
		want, _ := c.cfg.GetAll(alias, "IdentityFile")
		if fmt.Sprint(got.identityFiles) != fmt.Sprint(want) {
			t.Errorf("%s IdentityFile = %q, library says %q", alias, got.identityFiles, want)
		}
	}
}
