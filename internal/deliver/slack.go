package deliver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/fleetcheck/fleetcheck/digest"
	"github.com/fleetcheck/fleetcheck/notify/slack"
)

// WriteSlack writes d as the chat receiver would post it (`digest -o
// slack`): for each team in order, the Slack payloads of its digest, one
// JSON object a line, split within Slack's limits as a post is.
func WriteSlack(w io.Writer, d digest.Digest) error {
	enc := json.NewEncoder(w)
	for _, t := range d.Teams {
		one := d
		one.Teams = []digest.Team{t}
		var md bytes.Buffer
		if err := digest.Markdown(&md, one); err != nil {
			return fmt.Errorf("digest for %s: %w", t.Team, err)
		}
		for _, p := range slack.Split(Subject(t), md.String(), false) {
			if err := enc.Encode(p); err != nil {
				return fmt.Errorf("digest for %s: %w", t.Team, err)
			}
		}
	}
	return nil
}
