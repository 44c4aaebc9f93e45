package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fleetcheck/fleetcheck/checks"
)

// TestTableMark: with --state each failure shows what the history makes of
// it, and failures marked alike still fold together.
func TestTableMark(t *testing.T) {
	recs := []Record{
		rec("web1", "disk", checks.Critical, "/var 97%", nil),
		rec("web2", "disk", checks.Critical, "/var 97%", nil),
		rec("web3", "disk", checks.Critical, "/var 97%", nil),
		rec("web4", "disk", checks.OK, "ok", nil),
	}
	marks := map[string]string{"web1": "new", "web2": "new", "web3": "ongoing 3h", "web4": "never shown"}
	var buf bytes.Buffer
	opts := TableOptions{Width: 160, Mark: func(host, check string) string { return marks[host] }}
	if err := Table(&buf, fixtureSweep(recs), opts); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"web[1-2]", "/var 97% [new]", "web3", "/var 97% [ongoing 3h]"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "never shown") {
		t.Errorf("an OK result was marked:\n%s", out)
	}
	if recs[0].Summary != "/var 97%" {
		t.Error("marking changed the sweep's records")
	}
}
