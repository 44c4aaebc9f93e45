package fleetenv

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/internal/config"
)

func TestRequireStore(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh.db")
	tests := []struct {
		name      string
		config    string // state: in the config
		flag      string // --state
		mustExist bool
		usage     bool   // a UsageError (exit 64)
		error     string // "" opens
	}{
		{"none named", "", "", false, true, "no state store"},
		{"not a store URL", "", "mysql://db/x", false, true, "expected an SQLite file or a postgres:// URL"},
		{"missing, must exist", "", filepath.Join(dir, "nope.db"), true, false, "record sweeps with sweep --state first"},
		{"created", "", fresh, false, false, ""},
		{"from the config, exists now", fresh, "", true, false, ""},
		{"flag over config", filepath.Join(dir, "nope.db"), fresh, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Env{Config: &config.Config{State: tt.config}}
			s, err := e.RequireStore(context.Background(), tt.flag, tt.mustExist)
			if tt.error == "" {
				if err != nil {
					t.Fatalf("RequireStore: %v", err)
				}
				s.Close()
				return
			}
			var ue *UsageError
			if err == nil || !strings.Contains(err.Error(), tt.error) || errors.As(err, &ue) != tt.usage {
				t.Fatalf("RequireStore error %v (usage %v), want %q (usage %v)", err, errors.As(err, &ue), tt.error, tt.usage)
			}
		})
	}
}

func TestRequireOwners(t *testing.T) {
	e := &Env{Config: &config.Config{}}
	var ue *UsageError
	if _, _, err := e.RequireOwners(context.Background()); !errors.As(err, &ue) || !strings.Contains(err.Error(), "no owners file") {
		t.Errorf("RequireOwners without an owners file: %v, want a UsageError", err)
	}
}

func TestNames(t *testing.T) {
	e := &Env{Config: &config.Config{}}
	if got := e.Names(context.Background(), "teams"); got != nil {
		t.Errorf("teams without an owners file: %v, want none", got)
	}
	if got := e.Names(context.Background(), "checks"); len(got) == 0 || !slices.Contains(got, "disk") {
		t.Errorf("checks: %v, want the built-ins", got)
	}
}
