// Package webhook delivers the fleetcheck.digest/v1 JSON document to a
// generic HTTP endpoint with Standard Webhooks headers: webhook-id (the
// stable delivery id, the same on every retry), webhook-timestamp, and
// webhook-signature when a secret is configured.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
)

// SecretPrefix starts a Standard Webhooks secret: whsec_ + base64 key.
const SecretPrefix = "whsec_"

// Config is one webhook receiver.
type Config struct {
	URL    notify.Secret // the endpoint (its path may be its only credential)
	Secret notify.Secret // "whsec_..." or empty for no signature
	Client *http.Client  // nil means http.DefaultClient
	Now    func() time.Time
}

// Receiver posts to one webhook.
type Receiver struct {
	url    notify.Secret
	key    notify.Secret // the decoded HMAC key; empty for no signature
	client *http.Client
	now    func() time.Time
}

// New checks cfg: an http(s) URL and, when set, a Standard Webhooks
// secret. Its errors never show the URL or the secret.
func New(cfg Config) (*Receiver, error) {
	u, err := notify.ParseURL("webhook", cfg.URL)
	if err != nil {
		return nil, err
	}
	r := &Receiver{url: notify.NewSecret(u.String()), client: cfg.Client, now: cfg.Now}
	if !cfg.Secret.Empty() {
		key, err := ParseSecret(cfg.Secret.Reveal())
		if err != nil {
			return nil, err
		}
		r.key = notify.NewSecret(string(key))
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r, nil
}

// ParseSecret decodes a Standard Webhooks secret: whsec_ then the key in
// standard base64.
func ParseSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	rest, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook: the secret does not start with %s", SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("webhook: the secret after %s is not base64", SecretPrefix)
	}
	return key, nil
}

// Sign is the Standard Webhooks signature: "v1," + base64 of
// HMAC-SHA256(key, id + "." + timestamp + "." + body).
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// String names the receiver without its URL.
func (r *Receiver) String() string { return "webhook" }

// GoString hides the URL from %#v.
func (r *Receiver) GoString() string { return r.String() }

// Notify implements notify.Receiver. Each attempt has a fresh timestamp
// and signature; the id stays.
func (r *Receiver) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	if len(msg.JSON) == 0 {
		return false, fmt.Errorf("webhook: delivery %s has no JSON document", msg.ID)
	}
	id := msg.ID.String()
	ts := r.now().Unix()
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	if !r.key.Empty() {
		h.Set("webhook-signature", Sign([]byte(r.key.Reveal()), id, ts, msg.JSON))
	}
	return notify.PostJSON(ctx, r.client, "webhook", r.url.Reveal(), msg.JSON, h)
}
