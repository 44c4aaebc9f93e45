package ownership

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/posfile"
	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
	"github.com/fleetcheck/fleetcheck/inventory/query"
	"go.yaml.in/yaml/v3"
)

// Keys accepted at each level of an owners file.
var (
	topKeys     = []string{"fallback", "sla", "slo", "teams", "rules"}
	teamKeys    = []string{"contact", "email", "chat", "webhook", "escalation", "sla", "slo"}
	chatKeys    = []string{"webhook_file", "webhook_env"}
	webhookKeys = []string{"url_file", "url_env", "secret_file", "secret_env"}
	emailKeys   = []string{"to"}
	slaKeys     = []string{"critical", "warning", "unknown", "unreachable"}
	ruleKeys    = []string{"id", "hosts", "checks", "owner", "product_owner", "also_notify"}
)

// Load reads and validates an owners file; problems are *posfile.Error.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("owners file: %w", err)
	}
	return Parse(path, data)
}

// Parse validates the owners file text data read from path (used in
// positions and to resolve relative webhook files); problems are
// *posfile.Error.
func Parse(path string, data []byte) (*File, error) {
	yr, root, err := yamlfile.Parse(path, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, posfile.Errorf(path, 1, 1, "empty owners file: expected a mapping with fallback, teams and rules")
	}
	return nodeReader{yr}.owners(root)
}

// ParseNode reads an owners mapping given inside another file (the
// config's inline `owners:`); positions in errors are those of path, the
// file the node was decoded from.
func ParseNode(path string, root *yaml.Node) (*File, error) {
	return nodeReader{yamlfile.New(path, root)}.owners(yamlfile.Resolve(root))
}

// owners reads the owners mapping root.
func (r nodeReader) owners(root *yaml.Node) (*File, error) {
	path := r.Path()
	entries, err := r.mapping(root, "owners file", "the owners file", topKeys...)
	if err != nil {
		return nil, err
	}
	f := &File{Path: path, teamIndex: map[string]int{}, rulesPos: r.pos(root)}
	byKey := map[string]entry{}
	for _, e := range entries {
		byKey[e.key] = e
	}
	if e, ok := byKey["sla"]; ok {
		if f.SLA, err = r.sla(e.valNode, "sla"); err != nil {
			return nil, err
		}
	}
	if e, ok := byKey["slo"]; ok {
		if f.SLO, err = r.slo(e.valNode, "slo"); err != nil {
			return nil, err
		}
	}
	if e, ok := byKey["teams"]; ok {
		if err := r.teams(f, e.valNode); err != nil {
			return nil, err
		}
	}
	fb, ok := byKey["fallback"]
	if !ok {
		return nil, r.Errorf(root, "missing fallback: the team that gets what no rule owns (e.g. fallback: infra-triage)")
	}
	if f.Fallback, err = r.str(fb.valNode, "fallback"); err != nil {
		return nil, err
	}
	if err := r.teamRef(f, fb.valNode, "fallback"); err != nil {
		return nil, err
	}
	if e, ok := byKey["rules"]; ok {
		f.rulesPos = e.position
		if err := r.rules(f, e.valNode); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// teamRef checks that the scalar n names a team of f.
func (r nodeReader) teamRef(f *File, n *yaml.Node, what string) error {
	if _, ok := f.teamIndex[n.Value]; ok {
		return nil
	}
	names := make([]string, len(f.Teams))
	for i, t := range f.Teams {
		names[i] = t.Name
	}
	if len(names) == 0 {
		return r.Errorf(n, "%s: unknown team %q (no teams are defined under teams:)", what, n.Value)
	}
	return r.Errorf(n, "%s: unknown team %q%s", what, n.Value, yamlfile.OneOf(n.Value, names))
}

// slo reads an availability objective such as 99.5% (the % may be left
// out): a percentage strictly between 0 and 100.
func (r nodeReader) slo(n *yaml.Node, what string) (float64, error) {
	text, err := r.str(n, what)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text), "%")), 64)
	if err != nil || math.IsNaN(v) || v <= 0 || v >= 100 {
		return 0, r.Errorf(n, "%s: expected a percentage above 0 and below 100, such as 99.5%%, found %q", what, text)
	}
	return v, nil
}

// sla reads a mapping of severity -> duration.
func (r nodeReader) sla(n *yaml.Node, what string) (SLA, error) {
	entries, err := r.mapping(n, what, what, slaKeys...)
	if err != nil {
		return SLA{}, err
	}
	var s SLA
	for _, e := range entries {
		text, err := r.str(e.valNode, what+"."+e.key)
		if err != nil {
			return SLA{}, err
		}
		d, err := parseDuration(text)
		if err != nil {
			return SLA{}, r.Errorf(e.valNode, "%s.%s: %v", what, e.key, err)
		}
		switch e.key {
		case "critical":
			s.Critical = d
		case "warning":
			s.Warning = d
		case "unknown":
			s.Unknown = d
		case "unreachable":
			s.Unreachable = d
		}
	}
	return s, nil
}

// teams reads the teams: mapping into f.
func (r nodeReader) teams(f *File, n *yaml.Node) error {
	entries, err := r.mapping(n, "teams", "teams")
	if err != nil {
		return err
	}
	for _, e := range entries {
		t, err := r.team(f, e)
		if err != nil {
			return err
		}
		f.teamIndex[t.Name] = len(f.Teams)
		f.Teams = append(f.Teams, t)
	}
	return nil
}

// team reads one team definition.
func (r nodeReader) team(f *File, e entry) (Team, error) {
	t := Team{Name: e.key, Pos: e.position}
	if t.Name == "" {
		return Team{}, r.Errorf(e.keyNode, "teams: empty team name")
	}
	what := "team " + t.Name
	entries, err := r.mapping(e.valNode, what, what, teamKeys...)
	if err != nil {
		return Team{}, err
	}
	t.KeyPos = make(map[string]Pos, len(entries))
	for _, te := range entries {
		field := what + ": " + te.key
		t.KeyPos[te.key] = te.position
		switch te.key {
		case "contact":
			t.Contact, err = r.str(te.valNode, field)
		case "email":
			t.Email, t.EmailTo, err = r.email(te.valNode, field)
		case "escalation":
			t.Escalation, _, err = r.list(te.valNode, field)
		case "sla":
			t.SLA, err = r.sla(te.valNode, what+": sla")
		case "slo":
			t.SLO, err = r.slo(te.valNode, what+": slo")
		case "chat":
			t.Chat, err = r.chat(f, te.valNode, what+": chat")
		case "webhook":
			t.Hook, err = r.webhook(f, te.valNode, what+": webhook")
		}
		if err != nil {
			return Team{}, err
		}
	}
	return t, nil
}

// email reads email: as one address (the older form) or as {to: [...]}.
func (r nodeReader) email(n *yaml.Node, what string) (string, []string, error) {
	if yamlfile.Resolve(n).Kind != yaml.MappingNode {
		s, err := r.str(n, what)
		if s == "" || err != nil {
			return s, nil, err
		}
		return s, []string{s}, nil
	}
	entries, err := r.mapping(n, what, what, emailKeys...)
	if err != nil {
		return "", nil, err
	}
	var to []string
	for _, e := range entries {
		if to, _, err = r.list(e.valNode, what+".to"); err != nil {
			return "", nil, err
		}
	}
	if len(to) == 0 {
		return "", nil, r.Errorf(yamlfile.Resolve(n), "%s: expected to: with at least one address", what)
	}
	return to[0], to, nil
}

// secretRefs reads a mapping of where secrets are kept: each key's
// non-empty value, files resolved against the owners file's directory.
func (r nodeReader) secretRefs(f *File, n *yaml.Node, what string, keys []string) (map[string]string, error) {
	entries, err := r.mapping(n, what, what, keys...)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	for _, e := range entries {
		v, err := r.str(e.valNode, what+"."+e.key)
		if err != nil {
			return nil, err
		}
		if v == "" {
			return nil, r.Errorf(e.valNode, "%s.%s: empty", what, e.key)
		}
		if strings.HasSuffix(e.key, "_file") && !filepath.IsAbs(v) {
			v = filepath.Join(filepath.Dir(f.Path), v)
		}
		refs[e.key] = v
	}
	return refs, nil
}

// chat reads a chat: mapping; exactly one of webhook_file and webhook_env.
func (r nodeReader) chat(f *File, n *yaml.Node, what string) (Chat, error) {
	refs, err := r.secretRefs(f, n, what, chatKeys)
	if err != nil {
		return Chat{}, err
	}
	c := Chat{WebhookFile: refs["webhook_file"], WebhookEnv: refs["webhook_env"]}
	if (c.WebhookFile == "") == (c.WebhookEnv == "") {
		return Chat{}, r.Errorf(yamlfile.Resolve(n), "%s: expected exactly one of webhook_file or webhook_env (the secret stays out of this file)", what)
	}
	return c, nil
}

// webhook reads a webhook: mapping: exactly one of url_file and url_env,
// at most one of secret_file and secret_env.
func (r nodeReader) webhook(f *File, n *yaml.Node, what string) (Webhook, error) {
	refs, err := r.secretRefs(f, n, what, webhookKeys)
	if err != nil {
		return Webhook{}, err
	}
	w := Webhook{URLFile: refs["url_file"], URLEnv: refs["url_env"], SecretFile: refs["secret_file"], SecretEnv: refs["secret_env"]}
	if (w.URLFile == "") == (w.URLEnv == "") {
		return Webhook{}, r.Errorf(yamlfile.Resolve(n), "%s: expected exactly one of url_file or url_env (the URL stays out of this file)", what)
	}
	if w.SecretFile != "" && w.SecretEnv != "" {
		return Webhook{}, r.Errorf(yamlfile.Resolve(n), "%s: expected at most one of secret_file or secret_env", what)
	}
	return w, nil
}

// rules reads the rules: list into f.
func (r nodeReader) rules(f *File, n *yaml.Node) error {
	if yamlfile.IsNull(n) {
		return nil
	}
	items, err := r.Seq(n, "rules", "a list of rules")
	if err != nil {
		return err
	}
	ids := map[string]Pos{}
	for i, item := range items {
		rule, idNode, err := r.rule(f, item, i+1)
		if err != nil {
			return err
		}
		if first, dup := ids[rule.ID]; dup {
			return r.Errorf(idNode, "duplicate rule id %q (first at %s)", rule.ID, first.Short())
		}
		ids[rule.ID] = rule.Pos
		f.Rules = append(f.Rules, rule)
	}
	return nil
}

// rule reads the rule at index num (1-based) and returns its id node.
func (r nodeReader) rule(f *File, n *yaml.Node, num int) (Rule, *yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return Rule{}, nil, r.Expected(n, fmt.Sprintf("rule #%d", num), "a mapping with id, hosts, checks and owner")
	}
	name := ruleName(n, num)
	entries, err := r.mapping(n, name, name, ruleKeys...)
	if err != nil {
		return Rule{}, nil, err
	}
	rule := Rule{Hosts: "all", Pos: r.pos(n), HostsPos: r.pos(n)}
	byKey := map[string]entry{}
	for _, e := range entries {
		byKey[e.key] = e
	}
	idEntry, ok := byKey["id"]
	if !ok {
		return Rule{}, nil, r.Errorf(n, "rule #%d: missing id (a unique name for the rule)", num)
	}
	if rule.ID, err = r.str(idEntry.valNode, fmt.Sprintf("rule #%d: id", num)); err != nil {
		return Rule{}, nil, err
	}
	if strings.TrimSpace(rule.ID) == "" {
		return Rule{}, nil, r.Errorf(idEntry.valNode, "rule #%d: empty id", num)
	}
	what := fmt.Sprintf("rule %q", rule.ID)
	if e, ok := byKey["hosts"]; ok {
		if err := r.ruleHosts(&rule, e.valNode, what); err != nil {
			return Rule{}, nil, err
		}
	}
	if e, ok := byKey["checks"]; ok {
		if err := r.ruleChecks(&rule, e.valNode, what); err != nil {
			return Rule{}, nil, err
		}
	}
	rule.checkSet = newCheckMatcher(rule.Checks)
	oe, ok := byKey["owner"]
	if !ok {
		return Rule{}, nil, r.Errorf(n, "%s: missing owner (a team, or null for explicitly unowned)", what)
	}
	if yamlfile.IsNull(oe.valNode) {
		rule.Unowned = true
	} else {
		if rule.Owner, err = r.str(oe.valNode, what+": owner"); err != nil {
			return Rule{}, nil, err
		}
		if err := r.teamRef(f, oe.valNode, what+": owner"); err != nil {
			return Rule{}, nil, err
		}
	}
	if e, ok := byKey["product_owner"]; ok && !yamlfile.IsNull(e.valNode) {
		if rule.ProductOwner, err = r.str(e.valNode, what+": product_owner"); err != nil {
			return Rule{}, nil, err
		}
		if err := r.teamRef(f, e.valNode, what+": product_owner"); err != nil {
			return Rule{}, nil, err
		}
	}
	if e, ok := byKey["also_notify"]; ok {
		names, nodes, err := r.list(e.valNode, what+": also_notify")
		if err != nil {
			return Rule{}, nil, err
		}
		for i, name := range names {
			if err := r.teamRef(f, nodes[i], what+": also_notify"); err != nil {
				return Rule{}, nil, err
			}
			if !slices.Contains(rule.AlsoNotify, name) {
				rule.AlsoNotify = append(rule.AlsoNotify, name)
			}
		}
	}
	return rule, idEntry.valNode, nil
}

// ruleHosts reads and parses a rule's hosts: query.
func (r nodeReader) ruleHosts(rule *Rule, n *yaml.Node, what string) error {
	rule.HostsPos = r.pos(n)
	if yamlfile.IsNull(n) {
		return nil
	}
	text, err := r.str(n, what+": hosts")
	if err != nil {
		return err
	}
	trimmed := strings.TrimSpace(text)
	if trimmed == "" || trimmed == "all" {
		rule.Hosts = "all"
		return nil
	}
	rule.Hosts = trimmed
	expr, err := query.Parse(trimmed)
	if err != nil {
		return r.queryError(n, text, trimmed, err, what)
	}
	rule.expr = expr
	return nil
}

// queryError re-positions a query syntax error (column within the query)
// to the file: the line of the hosts: value, its column plus the query's.
func (r nodeReader) queryError(n *yaml.Node, text, trimmed string, err error, what string) error {
	var pe *posfile.Error
	if !errors.As(err, &pe) {
		return &posfile.Error{File: r.Path(), Line: n.Line, Col: n.Column, Msg: what + ": bad hosts query", Err: err}
	}
	out := &posfile.Error{File: r.Path(), Line: n.Line, Col: n.Column, Msg: what + ": bad hosts query: " + pe.Msg, Err: pe.Err}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 && pe.Col > 0 {
		col := n.Column + pe.Col - 1 + strings.Index(text, trimmed)
		if n.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
			col++ // the opening quote
		}
		out.Col = col
	}
	return out
}

// ruleChecks reads a rule's checks: names and globs.
func (r nodeReader) ruleChecks(rule *Rule, n *yaml.Node, what string) error {
	names, nodes, err := r.list(n, what+": checks")
	if err != nil {
		return err
	}
	for i, name := range names {
		if strings.TrimSpace(name) == "" {
			return r.Errorf(nodes[i], "%s: checks: empty check name", what)
		}
		if _, err := path.Match(name, ""); err != nil {
			return r.Errorf(nodes[i], "%s: checks: bad glob %q: %v", what, name, err)
		}
	}
	rule.Checks = names
	return nil
}

// ruleName names a rule in messages before it is validated: by its id
// when it has a plain one, else by its number.
func ruleName(n *yaml.Node, num int) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := yamlfile.Resolve(n.Content[i]), yamlfile.Resolve(n.Content[i+1])
		if k.Value == "id" && v.Kind == yaml.ScalarNode && !yamlfile.IsNull(v) && strings.TrimSpace(v.Value) != "" {
			return fmt.Sprintf("rule %q", v.Value)
		}
	}
	return fmt.Sprintf("rule #%d", num)
}
