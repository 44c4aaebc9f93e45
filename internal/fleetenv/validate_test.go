package fleetenv

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/inventory"
	"github.com/fleetcheck/fleetcheck/inventory/query"
)

func TestConnValidate(t *testing.T) {
	ok := Conn{Fanout: 1, Timeout: time.Second, ConnectTimeout: time.Second}
	tests := []struct {
		c    Conn
		want string
	}{
		{ok, ""},
		{Conn{Fanout: 1, Timeout: 0, Set: map[string]bool{}}, ""}, // not given: the default applies
		{Conn{Fanout: 0}, "--fanout: expected a number of hosts ≥ 1, found 0"},
		{Conn{Fanout: 1, Timeout: -time.Second, Set: map[string]bool{"timeout": true}}, "--timeout: expected a positive duration such as 30s, found -1s"},
		{Conn{Fanout: 1, ConnectTimeout: 0, Set: map[string]bool{"connect-timeout": true}}, "--connect-timeout: expected a positive duration such as 10s, found 0s"},
		{Conn{Fanout: 1, GlobalTimeout: -time.Minute}, "--global-timeout: expected a duration ≥ 0 such as 10m (0: none), found -1m0s"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.c, err)
			}
			continue
		}
		var ue *UsageError
		if err == nil || err.Error() != tt.want || !errors.As(err, &ue) {
			t.Errorf("%+v: error %v, want UsageError %q", tt.c, err, tt.want)
		}
	}
}

func TestSelectSome(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		hosts []inventory.Host
		query string
		want  string
	}{
		{nil, "", `no inventory was loaded (give --inventory, or inventory: in the config): the query "all" selects no hosts`},
		{[]inventory.Host{{Name: "web1"}}, "db*", `the query "db*" selects no hosts: nothing was checked (see fleetcheck hosts)`},
	} {
		inv, err := inventory.New(tt.hosts, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := &Env{Inventory: inv, Query: &query.Env{Inventory: inv}}
		_, err = e.SelectSome(ctx, tt.query)
		var none *NothingSelectedError
		if !errors.As(err, &none) || err.Error() != tt.want {
			t.Errorf("SelectSome(%q) error = %v, want NothingSelectedError %q", tt.query, err, tt.want)
		}
	}
	inv, _ := inventory.New([]inventory.Host{{Name: "web1"}, {Name: "web2"}}, nil)
	e := &Env{Inventory: inv, Query: &query.Env{Inventory: inv}}
	if hosts, err := e.SelectSome(ctx, "web*"); err != nil || len(hosts) != 2 {
		t.Errorf("SelectSome(web*) = %v, %v; want both hosts", hosts, err)
	}
}
