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
