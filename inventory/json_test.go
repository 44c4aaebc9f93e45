package inventory

import (
	"slices"
	"strings"
	"testing"
)

func TestWriteJSONAndNames(t *testing.T) {
	hosts := []Host{
		{Name: "web2", Address: "10.0.0.2", Port: 2222, User: "ops", Labels: map[string]string{"role": "web"}, Source: "hosts.yaml"},
		{Name: "db1"},
	}
	if got := Names(hosts); !slices.Equal(got, []string{"web2", "db1"}) {
		t.Errorf("Names = %v, want the hosts' order", got)
	}
	var b strings.Builder
	if err := WriteJSON(&b, hosts); err != nil {
		t.Fatal(err)
	}
	want := `[
  {
    "name": "web2",
    "address": "10.0.0.2",
    "port": 2222,
    "user": "ops",
    "labels": {
      "role": "web"
    },
    "source": "hosts.yaml"
  },
  {
    "name": "db1"
  }
]
`
	if b.String() != want {
		t.Errorf("WriteJSON wrote\n%s\nwant\n%s", b.String(), want)
	}
}

func TestWriteText(t *testing.T) {
	hosts := []Host{{Name: "web01"}, {Name: "web02"}, {Name: "web03"}, {Name: "db1"}}
	tests := []struct {
		list           bool
		stdout, stderr string
	}{
		{false, "db1,web[01-03]\n", "4 hosts\n"},
		{true, "web01\nweb02\nweb03\ndb1\n", ""},
	}
	for _, tt := range tests {
		var out, errw strings.Builder
		if err := WriteText(&out, &errw, hosts, tt.list); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.stdout || errw.String() != tt.stderr {
			t.Errorf("WriteText(list %v) = %q, %q; want %q, %q", tt.list, out.String(), errw.String(), tt.stdout, tt.stderr)
		}
	}
}
