package inventory

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
)

// fuzzHostLimit keeps fuzzed node sets and host ranges small.
const fuzzHostLimit = 1000

// addSeedFiles adds every file matching glob as a seed.
func addSeedFiles(f *testing.F, glob string) {
	paths, err := filepath.Glob(glob)
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed files for %s: %v", glob, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkLoaded asserts what every loader promises: a positioned error for
// this file, or hosts with names, valid ports and a source in this file.
func checkLoaded(t *testing.T, path string, inv *Inventory, err error) {
	if err != nil {
		var pe *posfile.Error
		if !errors.As(err, &pe) || pe.File != path || pe.Line < 0 || pe.Col < 0 {
			t.Fatalf("error is not positioned in %s: %T %v", path, err, err)
		}
		return
	}
	seen := map[string]bool{}
	for _, h := range inv.Hosts {
		if h.Name == "" || seen[h.Name] {
			t.Fatalf("empty or repeated host name %q", h.Name)
		}
		seen[h.Name] = true
		if h.Port < 0 || h.Port > 65535 {
			t.Fatalf("host %s: port %d", h.Name, h.Port)
		}
		if !strings.HasPrefix(h.Source, path+":") {
			t.Fatalf("host %s: source %q not in %s", h.Name, h.Source, path)
		}
		if _, ok := inv.Lookup(h.Name); !ok {
			t.Fatalf("Lookup(%q) fails", h.Name)
		}
	}
}

// FuzzLoadNative checks that the native loader never panics and keeps its
// promises on any input.
func FuzzLoadNative(f *testing.F) {
	addSeedFiles(f, "testdata/native/*.yaml")
	addSeedFiles(f, "testdata/native/bad/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := loadNative("fuzz.yaml", data, fuzzHostLimit)
		checkLoaded(t, "fuzz.yaml", inv, err)
	})
}

// FuzzAnsibleINI checks that the Ansible INI loader never panics and keeps
// its promises on any input.
func FuzzAnsibleINI(f *testing.F) {
	addSeedFiles(f, "testdata/ansible/*.ini")
	addSeedFiles(f, "testdata/ansible/bad/*.ini")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := loadAnsibleINI("fuzz.ini", data, fuzzHostLimit)
		checkLoaded(t, "fuzz.ini", inv, err)
	})
}

// FuzzAnsibleYAML checks that the Ansible YAML loader never panics and
// keeps its promises on any input.
func FuzzAnsibleYAML(f *testing.F) {
	addSeedFiles(f, "testdata/ansible/*.yaml")
	addSeedFiles(f, "testdata/ansible/bad/*.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := loadAnsibleYAML("fuzz.yaml", data, fuzzHostLimit)
		checkLoaded(t, "fuzz.yaml", inv, err)
	})
}
