package yamlfile_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/internal/config"
	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/ownership"
)

var update = flag.Bool("update", false, "rewrite testdata/kinds.golden")

// kinds are the file kinds read through yamlfile, each loaded as the
// product loads it and summarised when it loads.
var kinds = map[string]func(path string) (string, error){
	"inventory": loadInventory,
	"ansible":   loadInventory,
	"owners":    loadOwners,
	"checks":    loadChecks,
	"config":    loadConfig,
}

// behaviours are the files each kind has under testdata/KIND/: what every
// kind must do alike.
var behaviours = []string{
	"type",    // a value of the wrong kind: "expected X, found Y"
	"gotype",  // a list where a scalar belongs: no Go type name
	"alias",   // *alias reuses an anchored value
	"merge",   // <<: *base merges a mapping, own keys winning
	"bomb",    // merges of merges expanding to 10^9 entries stop at the bound
	"dup",     // a key given twice
	"syntax",  // bad indentation deep in a block: the bad line, not the block's
	"typo",    // an unknown key close to a known one: did you mean
	"unknown", // an unknown key: the keys expected
}

// TestKinds loads every behaviour's file of every kind and compares the
// outcome with testdata/kinds.golden (go test -update rewrites it).
func TestKinds(t *testing.T) {
	var got strings.Builder
	for _, kind := range slices.Sorted(func(yield func(string) bool) {
		for k := range kinds {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, b := range behaviours {
			path := filepath.Join("testdata", kind, b+".yaml")
			summary, err := kinds[kind](path)
			line := "ok: " + summary
			if err != nil {
				var pe *posfile.Error
				if !errors.As(err, &pe) || pe.File != path {
					t.Errorf("%s: error %v is not a *posfile.Error in the file", path, err)
				}
				line = "error: " + err.Error()
			}
			fmt.Fprintf(&got, "%s/%s: %s\n", kind, b, line)
		}
	}
	golden := filepath.Join("testdata", "kinds.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	g, w := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			t.Errorf("line %d\n got %s\nwant %s", i+1, gl, wl)
		}
	}
}

// loadInventory loads an inventory file as `--inventory` does.
func loadInventory(path string) (string, error) {
	inv, err := inventory.LoadFile(path)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, h := range inv.Hosts {
		var labels []string
		for k, v := range h.Labels {
			labels = append(labels, k+"="+v)
		}
		slices.Sort(labels)
		parts = append(parts, fmt.Sprintf("%s port=%d user=%q groups=%v labels=%v", h.Name, h.Port, h.User, h.Groups, labels))
	}
	return strings.Join(parts, "; "), nil
}

// loadOwners loads an owners file as `--owners` does.
func loadOwners(path string) (string, error) {
	f, err := ownership.Load(path)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, tm := range f.Teams {
		parts = append(parts, fmt.Sprintf("team %s contact=%s sla.critical=%v", tm.Name, tm.Contact, tm.SLA.Critical))
	}
	return strings.Join(parts, "; "), nil
}

// loadChecks loads a checks file named by a config's `checks:`, with the
// built-ins, recording the parameters each check was built with.
func loadChecks(path string) (string, error) {
	cfg, err := config.Parse("c.yaml", []byte("checks: "+path+"\n"))
	if err != nil {
		return "", err
	}
	reg := checks.Builtins()
	built := map[string]checks.Params{}
	for name, b := range reg {
		inner := b.New
		b.New = func(n string, p checks.Params) (checks.Check, error) {
			c, err := inner(n, p)
			if err == nil {
				built[n] = p
			}
			return c, err
		}
		reg[name] = b
	}
	cs, err := checks.LoadConfig(cfg.ChecksFile, cfg.Checks, reg)
	if err != nil {
		return "", err
	}
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s type=%s params=%v", c.Check.Name(), c.Type, built[c.Check.Name()]))
	}
	return strings.Join(parts, "; "), nil
}

// loadConfig loads fleetcheck.yaml as --config does.
func loadConfig(path string) (string, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("defaults=%+v", cfg.Defaults), nil
}
