package query

import (
	"reflect"
	"strings"
	"testing"
)

func TestKnownHostsNames(t *testing.T) {
	tests := []struct {
		line string
		want []string
	}{
		{"", nil},
		{"# comment", nil},
		{"|1|HaSh=|HaSh= ecdsa-sha2-nistp256 AAAA=", nil},
		{"host1 ssh-rsa", nil},
		{"@marker host1 ssh-rsa", nil},
		{"@revoked host1 ecdsa-sha2-nistp256 AAAA=", nil},
		{"@marker host1 ecdsa-sha2-nistp256 AAAA=", nil},
		{"@cert-authority host1 ecdsa-sha2-nistp256 AAAA=", []string{"host1"}},
		{"host1 ecdsa-sha2-nistp256 AAAA=", []string{"host1"}},
		{", k v", nil},
		{"host1,, k v", []string{"host1"}},
		{"!host1,host2 k v", []string{"host1", "host2"}},
		{"[host1]:2222,host2 k v", []string{"host1", "host2"}},
		{"![host1]:2222,!host2 k v", []string{"host1", "host2"}},
		{"host*,host2,host? k v", []string{"host2"}},
		{"host1,127.0.1.1,fe80::1 k v", []string{"host1"}},
		{"  host3   ssh-ed25519   AAAA  comment words", []string{"host3"}},
	}
	for _, tt := range tests {
		got, err := knownHostsNames(strings.NewReader(tt.line))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

func TestReadKnownHostsMissingFile(t *testing.T) {
	got, err := readKnownHosts([]string{t.TempDir() + "/absent"})
	if err != nil || len(got) != 0 {
		t.Fatalf("missing file: %v, %v; want nothing, no error", got, err)
	}
}

// TestReadKnownHostsFiles reads real-looking files: the names come in file
// order without duplicates, each with the first file naming it. Hashed
// lines (a hosts field starting with '|' is one hash for OpenSSH, commas
// included), patterns, IP addresses, @revoked lines, comments and lines
// without a key are skipped; "[host]:port" gives host; a negated name
// counts as cumin counts it.
func TestReadKnownHostsFiles(t *testing.T) {
	dir := "testdata/knownhosts/"
	got, err := readKnownHosts([]string{dir + "known_hosts", dir + "missing", dir + "second"})
	if err != nil {
		t.Fatal(err)
	}
	kh := func(name, file string) knownHost { return knownHost{name: name, file: dir + file} }
	want := []knownHost{
		kh("web1.example.org", "known_hosts"), kh("web2.example.org", "known_hosts"),
		kh("bad.example.org", "known_hosts"), kh("good.example.org", "known_hosts"),
		kh("indented.example.org", "known_hosts"), kh("web3.example.org", "second"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n %v\nwant\n %v", got, want)
	}
}

// TestReadKnownHostsUnreadable: a file that exists but cannot be read is
// an error naming it, unlike a missing one.
func TestReadKnownHostsUnreadable(t *testing.T) {
	dir := t.TempDir()
	if _, err := readKnownHosts([]string{dir}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Fatalf("reading a directory: %v, want an error naming it", err)
	}
}
