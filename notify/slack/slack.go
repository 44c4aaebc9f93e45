// Package slack delivers a digest to a Slack-compatible incoming webhook:
// text plus blocks within Slack's limits (3,000 characters a section, 50
// blocks a message), a long digest split into several messages in order
// and marked "(2/3)", never cut. Mattermost, which does not render
// blocks, gets the text alone.
package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/fleetcheck/fleetcheck/notify"
)

// Slack's and Mattermost's limits.
const (
	MaxSection  = 3000  // characters of one section block's text
	MaxBlocks   = 50    // blocks of one message
	MaxTextOnly = 16000 // characters of a text-only message (Mattermost takes 16,383)
)

// Config is one chat receiver.
type Config struct {
	URL        notify.Secret // the incoming webhook: its path is its credential
	Mattermost bool          // text only: Mattermost does not render blocks
	Client     *http.Client  // nil means http.DefaultClient
}

// Receiver posts to one incoming webhook.
type Receiver struct {
	url        notify.Secret
	mattermost bool
	client     *http.Client

	mu       sync.Mutex
	progress map[notify.ID]*progress // split digests being posted by this process
}

// progress is a digest's parts and how many were accepted.
type progress struct {
	parts []Payload
	sent  int
}

// New checks cfg's URL; its errors never show it.
func New(cfg Config) (*Receiver, error) {
	u, err := notify.ParseURL("chat", cfg.URL)
	if err != nil {
		return nil, err
	}
	return &Receiver{url: notify.NewSecret(u.String()), mattermost: cfg.Mattermost, client: cfg.Client, progress: map[notify.ID]*progress{}}, nil
}

// String names the receiver without its URL.
func (r *Receiver) String() string { return "chat" }

// Payload is one message to the webhook.
type Payload struct {
	Text   string  `json:"text"`
	Blocks []Block `json:"blocks,omitempty"`
}

// Block is a Slack layout block (section or context).
type Block struct {
	Type     string `json:"type"`
	Text     *Text  `json:"text,omitempty"`
	Elements []Text `json:"elements,omitempty"`
}

// Text is a Slack text object.
type Text struct {
	Type string `json:"type"` // mrkdwn
	Text string `json:"text"`
}

// GoString hides the URL from %#v.
func (r *Receiver) GoString() string { return r.String() }

// Notify implements notify.Receiver: the parts of the digest in order.
// A part already accepted is not posted again by a retry in the same
// process; a later run posts them all again (Slack has no idempotency
// key), which the part markers make visible.
func (r *Receiver) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	r.mu.Lock()
	pr := r.progress[msg.ID]
	if pr == nil {
		pr = &progress{parts: Split(msg.Subject, msg.Markdown, r.mattermost)}
		r.progress[msg.ID] = pr
	}
	r.mu.Unlock()
	parts := pr.parts
	for i := pr.sent; i < len(parts); i++ {
		body, err := json.Marshal(parts[i])
		if err != nil {
			return false, fmt.Errorf("chat: encoding part %d: %w", i+1, err)
		}
		what := "chat"
		if len(parts) > 1 {
			what = fmt.Sprintf("chat (part %d/%d)", i+1, len(parts))
		}
		if retry, err := notify.PostJSON(ctx, r.client, what, r.url.Reveal(), body, nil); err != nil {
			return retry, err
		}
		pr.sent = i + 1
	}
	r.mu.Lock()
	delete(r.progress, msg.ID)
	r.mu.Unlock()
	return false, nil
}

// Split turns a Markdown digest into the messages that carry it, in
// order, each within the limits, every line of the digest in exactly
// one of them; with several, each is marked (i/n). Slack gets mrkdwn
// sections; textOnly (Mattermost) gets the Markdown, which it renders.
func Split(subject, markdown string, textOnly bool) []Payload {
	var parts []Payload
	if textOnly {
		for _, chunk := range chunks(markdown, MaxTextOnly-20) {
			parts = append(parts, Payload{Text: chunk})
		}
	} else {
		sections := chunks(Mrkdwn(markdown), MaxSection)
		per := MaxBlocks - 1 // one block left for the part marker
		for len(sections) > 0 {
			n := min(per, len(sections))
			p := Payload{Text: subject}
			for _, s := range sections[:n] {
				p.Blocks = append(p.Blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: s}})
			}
			parts = append(parts, p)
			sections = sections[n:]
		}
	}
	if len(parts) == 0 {
		parts = []Payload{{Text: subject}}
	}
	if len(parts) > 1 {
		for i := range parts {
			mark := fmt.Sprintf("(%d/%d)", i+1, len(parts))
			if textOnly {
				parts[i].Text += "\n" + mark
				continue
			}
			parts[i].Text = strings.TrimSpace(subject + " " + mark)
			parts[i].Blocks = append(parts[i].Blocks, Block{Type: "context", Elements: []Text{{Type: "mrkdwn", Text: mark}}})
		}
	}
	return parts
}

// chunks cuts text at line ends into pieces of at most limit
// characters; a longer line is cut between characters, marked "…" at
// the cut, so that nothing is lost.
func chunks(text string, limit int) []string {
	var out []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if s := strings.TrimRight(cur.String(), "\n"); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
		cur.Reset()
		n = 0
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		ln := utf8.RuneCountInString(line)
		if n+ln > limit {
			flush()
		}
		for ln > limit {
			head := string([]rune(line)[:limit-1]) + "…"
			out = append(out, head)
			line = string([]rune(line)[limit-1:])
			ln = utf8.RuneCountInString(line)
		}
		cur.WriteString(line)
		n += ln
	}
	flush()
	return out
}

// Mrkdwn converts the digest's Markdown to Slack's mrkdwn, line by line:
// headings and **bold** become *bold*, list items bullets; code and
// _italics_ stay.
func Mrkdwn(md string) string {
	var b strings.Builder
	b.Grow(len(md))
	for line := range strings.SplitAfterSeq(md, "\n") {
		body := strings.TrimRight(line, "\n")
		nl := line[len(body):]
		if h := strings.TrimLeft(body, "#"); len(h) < len(body) && len(body)-len(h) <= 6 && strings.HasPrefix(h, " ") {
			b.WriteString("*" + strings.TrimSpace(strings.ReplaceAll(h, "**", "")) + "*" + nl)
			continue
		}
		rest := strings.TrimLeft(body, " ")
		indent := body[:len(body)-len(rest)]
		if strings.HasPrefix(rest, "- ") || strings.HasPrefix(rest, "* ") {
			rest = "• " + rest[2:]
		}
		b.WriteString(indent + strings.ReplaceAll(rest, "**", "*") + nl)
	}
	return b.String()
}
