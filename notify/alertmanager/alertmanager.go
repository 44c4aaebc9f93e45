// Package alertmanager pushes fleetcheck's failure episodes to
// Alertmanager (POST /api/v2/alerts): every open episode as a firing
// alert whose endsAt is four resend intervals away (so that a missed run
// does not resolve it), every episode resolved since the last push once,
// with its resolution time as endsAt. Alertmanager then groups, routes
// and silences them as its users configured it.
package alertmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/notify"
)

// AlertName is the alertname label of every alert fleetcheck sends.
const AlertName = "FleetcheckFailure"

// DefaultResendInterval is notify.alertmanager.resend_interval's default.
const DefaultResendInterval = time.Hour

// Episode is one failure as Alertmanager is told it; the CLI fills it
// from the store's episodes and the owners file.
type Episode struct {
	Host         string
	Check        string // "" for the host's own unreachability: labelled check="host"
	Team         string
	Severity     string // critical, warning, unknown, unreachable (the status, lower case)
	Unowned      bool
	Summary      string
	Rule         string // the owners rule that attributed it
	FirstSeen    time.Time
	SLA          string    // the SLA state as the digest words it ("ok", "breached 2h ago"); "" when none
	Acknowledged bool      // labelled acknowledged="true"
	Resolved     time.Time // zero while open
}

// Alerts is what one push sends: open episodes firing until now +
// 4 × resend, resolved ones ending at their resolution.
func Alerts(now time.Time, resend time.Duration, eps []Episode) []notify.Alert {
	if resend <= 0 {
		resend = DefaultResendInterval
	}
	out := make([]notify.Alert, 0, len(eps))
	for _, e := range eps {
		check := e.Check
		if check == "" {
			check = "host"
		}
		labels := map[string]string{
			"alertname": AlertName,
			"host":      e.Host,
			"check":     check,
			"team":      e.Team,
			"severity":  e.Severity,
			"unowned":   fmt.Sprint(e.Unowned),
		}
		if e.Acknowledged {
			labels["acknowledged"] = "true"
		}
		ann := map[string]string{"summary": e.Summary, "rule": e.Rule, "first_seen": e.FirstSeen.UTC().Format(time.RFC3339)}
		if e.SLA != "" {
			ann["sla"] = e.SLA
		}
		for k, v := range ann {
			if v == "" {
				delete(ann, k)
			}
		}
		end := now.Add(4 * resend)
		if !e.Resolved.IsZero() {
			end = e.Resolved
		}
		out = append(out, notify.Alert{Labels: labels, Annotations: ann, StartsAt: e.FirstSeen, EndsAt: end})
	}
	return out
}

// Config is the Alertmanager to push to.
type Config struct {
	URL    notify.Secret // base URL, e.g. http://alertmanager:9093 (may carry basic auth)
	Client *http.Client  // nil means http.DefaultClient
}

// Receiver pushes to one Alertmanager.
type Receiver struct {
	endpoint notify.Secret // may carry basic auth
	client   *http.Client
}

// New checks cfg's URL; its errors never show it.
func New(cfg Config) (*Receiver, error) {
	u, err := notify.ParseURL("alertmanager", cfg.URL)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/v2/alerts"
	return &Receiver{endpoint: notify.NewSecret(u.String()), client: cfg.Client}, nil
}

// String names the receiver without its URL.
func (r *Receiver) String() string { return "alertmanager" }

// GoString hides the URL from %#v.
func (r *Receiver) GoString() string { return r.String() }

// Notify implements notify.Receiver: msg.Alerts in one POST. Pushing
// the same alerts twice is harmless: Alertmanager merges them by labels.
func (r *Receiver) Notify(ctx context.Context, msg *notify.Message) (bool, error) {
	if len(msg.Alerts) == 0 {
		return false, nil
	}
	body, err := json.Marshal(msg.Alerts)
	if err != nil {
		return false, fmt.Errorf("alertmanager: encoding the alerts: %w", err)
	}
	return notify.PostJSON(ctx, r.client, "alertmanager", r.endpoint.Reveal(), body, nil)
}
