package inventory

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		path, data string
		want       Format
	}{
		{"inv.yaml", "hosts:\n  - name: a\n", FormatNative},
		{"inv.yml", "defaults: {user: root}\n", FormatNative},
		{"inv.yaml", "aliases: {a: b}\nhosts: []\n", FormatNative},
		{"inv.yaml", "hosts: web1\n", FormatNative},
		{"inv.yaml", "", FormatNative},
		{"inv.yaml", "all:\n  hosts:\n    a:\n", FormatAnsibleYAML},
		{"inv.yaml", "webservers:\n  hosts:\n    a:\n", FormatAnsibleYAML},
		{"inv.yaml", "hosts:\n  hosts:\n    a:\n", FormatAnsibleYAML},
		{"inv.ini", "hosts:\n  - name: a\n", FormatAnsibleINI},
		{"hosts", "[web]\na\n", FormatAnsibleINI},
		{"hosts", "# c\n\n[web]\na\n", FormatAnsibleINI},
		{"hosts", "a.example.org\nb.example.org ansible_port=22\n", FormatAnsibleINI},
		{"hosts", "a ansible_host=x: y\n", FormatAnsibleINI},
		{"hosts", "all:\n  hosts:\n    a:\n", FormatAnsibleYAML},
		{"hosts", "hosts:\n  - name: a\n", FormatNative},
		{"inventory.yaml", "[web]\na\n", FormatNative},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.path, []byte(tt.data)); got != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %s, want %s", tt.path, tt.data, got, tt.want)
		}
	}
}

func TestLoadFileFormats(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"native.yaml": "hosts:\n  - name: n[1-2]\n",
		"ansible.yml": "all:\n  hosts:\n    n[1:2]:\n",
		"inventory":   "[g]\nn[1:2]\n",
	}
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		inv, err := LoadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := inv.Names(); len(got) != 2 || got[0] != "n1" || got[1] != "n2" {
			t.Errorf("%s: names %v, want [n1 n2]", name, got)
		}
	}
	_, err := LoadFile(filepath.Join(dir, "missing.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v, want one wrapping fs.ErrNotExist", err)
	}
}
