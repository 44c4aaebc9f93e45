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
