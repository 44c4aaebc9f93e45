package deliver

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/notify/slack"
)

// TestWriteSlack: one payload line per team (more for a long digest), in
// the digest's team order, each headed by the team's subject and carrying
// its failures in mrkdwn sections.
func TestWriteSlack(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	group := func(host string, n int) digest.Group {
		return digest.Group{Check: "disk", Hosts: host, Count: n, Summary: "disk full on " + host}
	}
	long := make([]digest.Group, 0, 2000)
	for i := range 2000 {
		long = append(long, group("web"+strings.Repeat("x", 40)+string(rune('a'+i%26)), 1))
	}
	d := digest.Digest{GeneratedAt: now, Teams: []digest.Team{
		{Team: "traffic", Since: now.Add(-time.Hour), New: []digest.Group{group("cp1001", 1)}},
		{Team: "storage", Since: now.Add(-time.Hour), Ongoing: long},
	}}
	var out bytes.Buffer
	if err := WriteSlack(&out, d); err != nil {
		t.Fatal(err)
	}
	var got []slack.Payload
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var p slack.Payload
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("line %d: %v", len(got)+1, err)
		}
		got = append(got, p)
	}
	if len(got) < 3 {
		t.Fatalf("%d payloads, want 1 for traffic and at least 2 for the long storage digest", len(got))
	}
	if got[0].Text != "fleetcheck digest for traffic: 1 new, 0 ongoing, 0 resolved" {
		t.Errorf("first payload's text %q", got[0].Text)
	}
	if !strings.Contains(got[0].Blocks[0].Text.Text, "cp1001") {
		t.Errorf("traffic's payload lacks its failure: %+v", got[0].Blocks)
	}
	for i, p := range got[1:] {
		if !strings.HasPrefix(p.Text, "fleetcheck digest for storage: 0 new, 2000 ongoing") || !strings.Contains(p.Text, "/") {
			t.Errorf("storage payload %d: text %q, want the subject with its (i/n) part", i+1, p.Text)
		}
		if len(p.Blocks) > slack.MaxBlocks {
			t.Errorf("storage payload %d has %d blocks, over %d", i+1, len(p.Blocks), slack.MaxBlocks)
		}
	}
}
