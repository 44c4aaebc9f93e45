package deliver

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/health"
	"github.com/fleetcheck/fleetcheck/notify/notifytest"
	"github.com/fleetcheck/fleetcheck/state"
)

// TestTriageTreatment: an acknowledged failure is pushed labelled
// acknowledged="true" (who and why annotated) and not escalated; one in a
// maintenance window is neither pushed nor told (its team's digest holds
// nothing else, so none is sent); a plain one past its SLA is escalated.
func TestTriageTreatment(t *testing.T) {
	srv, urls := newServers(t)
	am := notifytest.New(t)
	f := newFixture(t, urls, fmt.Sprintf("notify:\n  alertmanager: {url: %q}\n", am.URL))
	ctx := context.Background()
	failing := map[string]health.Status{"db1": health.Critical, "db2": health.Critical, "web1": health.Warning}
	f.sweep(failing) // 09:00
	if _, err := f.store.Acknowledge(ctx, state.AckRequest{Hosts: []string{"db1"}, Check: "disk", By: "alice", Reason: "T1234"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddMaintenance(ctx, state.Window{Query: "web1", Hosts: []string{"web1"}, End: f.clock.now().Add(10 * time.Hour), Reason: "reboots", By: "bob"}); err != nil {
		t.Fatal(err)
	}
	web := len(srv.web.Requests())
	f.sweep(failing) // 10:00
	f.post(f.store, 10*time.Second)
	f.sweep(failing) // 11:00: db1 and db2 past their 2h SLA
	rep := f.post(f.store, 10*time.Second)
	t.Logf("post: %v", states(rep.Result))

	esc := srv.oncall.Delivered()
	if len(esc) != 1 || !strings.Contains(string(esc[0].Body), `"hosts": "db2"`) || strings.Contains(string(esc[0].Body), `"hosts": "db1"`) {
		t.Errorf("escalations %d, want one of db2 only (db1 is acknowledged): %v", len(esc), ids(esc))
	}
	if n := len(srv.web.Requests()); n != web {
		t.Errorf("web's only failure is in maintenance, yet its chat got %d more digests", n-web)
	}
	pushes := am.Delivered()
	var alerts []struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal(pushes[len(pushes)-1].Body, &alerts); err != nil {
		t.Fatal(err)
	}
	var hosts []string
	for _, a := range alerts {
		hosts = append(hosts, a.Labels["host"])
		switch a.Labels["host"] {
		case "db1":
			if a.Labels["acknowledged"] != "true" || a.Annotations["acknowledged_by"] != "alice" || a.Annotations["acknowledged_reason"] != "T1234" {
				t.Errorf("db1's alert %v %v, want acknowledged by alice for T1234", a.Labels, a.Annotations)
			}
		case "db2":
			if _, ok := a.Labels["acknowledged"]; ok {
				t.Errorf("db2 is not acknowledged: %v", a.Labels)
			}
		}
	}
	slices.Sort(hosts)
	if !slices.Equal(hosts, []string{"db1", "db2"}) {
		t.Errorf("pushed %v, want db1 and db2 (web1 is in maintenance)", hosts)
	}
}
