package inventory

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestLoadKnownHosts(t *testing.T) {
	names, hashed, err := LoadKnownHosts("testdata/knownhosts/known_hosts", "testdata/knownhosts/missing", "testdata/knownhosts/second")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"web1.example.org", "192.0.2.10", "web2.example.org", "2001:db8::1", "192.0.2.11",
		"plain.example.org", "good.example.org", "indented.example.org", "web3.example.org",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names =\n %q\nwant\n %q", names, want)
	}
	if hashed != 2 {
		t.Errorf("hashed = %d, want 2", hashed)
	}
}

func TestLoadKnownHostsEmpty(t *testing.T) {
	names, hashed, err := LoadKnownHosts()
	if err != nil || names != nil || hashed != 0 {
		t.Errorf("LoadKnownHosts() = %v, %d, %v; want nothing", names, hashed, err)
	}
}

func TestLoadKnownHostsUnreadable(t *testing.T) {
	dir := t.TempDir()
	// A directory cannot be read as a file: that is an error, unlike a
	// missing file.
	_, _, err := LoadKnownHosts(dir)
	if err == nil {
		t.Fatal("no error reading a directory")
	}
	path := filepath.Join(dir, "kh")
	if err := os.WriteFile(path, []byte("h1 ssh-ed25519 AAAA\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	names, _, err := LoadKnownHosts(path)
	if err != nil || !reflect.DeepEqual(names, []string{"h1"}) {
		t.Errorf("LoadKnownHosts = %v, %v", names, err)
	}
}
