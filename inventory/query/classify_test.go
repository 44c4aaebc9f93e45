package query

import (
	"fmt"
	"testing"
)

func TestBareTokenClassification(t *testing.T) {
	tests := []struct {
		q    string
		want string // %T of the parsed expression
	}{
		{"web01.dc1.example.org", "*query.HostName"},
		{"10.0.0.1", "*query.HostName"},
		{"not-me", "*query.HostName"},
		{"and-1", "*query.HostName"},
		{"xor_host", "*query.HostName"},
		{"web*", "*query.Glob"},
		{"db?.dc1*", "*query.Glob"},
		{"web[01-03]*", "*query.Glob"},
		{"web[0001-0010,0015].dc1.example.org", "*query.NodeSet"},
		{"a.example.org,b.example.org", "*query.NodeSet"},
		{"web[1-9]!web5", "*query.NodeSet"},
		{"role=web", "*query.Label"},
		{"role!=web", "*query.Label"},
		{"role~^web", "*query.Label"},
		{"app.kubernetes.io/name=x", "*query.Label"},
		{"not=x", "*query.Label"},
		{"all", "query.All"},
		{"A:canaries", "*query.Alias"},
		{"D{web1}", "*query.Block"},
		{"not web1", "*query.Not"},
		{"web1 or web2", "*query.Binary"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		if got := fmt.Sprintf("%T", e); got != tt.want {
			t.Errorf("Parse(%q) is %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestLabelParts(t *testing.T) {
	tests := []struct{ q, key, op, value string }{
		{"role=web", "role", "=", "web"},
		{"role!=web", "role", "!=", "web"},
		{"role~^(web|cache)$", "role", "~", "^(web|cache)$"},
		{`role="a b"`, "role", "=", "a b"},
		{`re~"\d+\"x"`, "re", "~", `\d+"x`},
		{`k=a=b`, "k", "=", "a=b"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.q, err)
			continue
		}
		l, ok := e.(*Label)
		if !ok || l.Key != tt.key || l.Op != tt.op || l.Value != tt.value {
			t.Errorf("Parse(%q) = %#v, want %s %s %q", tt.q, e, tt.key, tt.op, tt.value)
		}
	}
}

func TestBlockInsides(t *testing.T) {
	tests := []struct{ q, want string }{
		{"D{a or b and not c}", "*query.Binary"},
		{"K{a*}", "*query.Pattern"},
		{"P{F:a = 1}", "*query.PuppetQuery"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.q)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.q, err)
		}
		b := e.(*Block)
		if got := fmt.Sprintf("%T", b.Query); got != tt.want {
			t.Errorf("%q holds %s, want %s", tt.q, got, tt.want)
		}
	}
	e, _ := Parse("P{not F:a.b >= '3' or (R:File@tag ~ x)}")
	pq := e.(*Block).Query.(*PuppetQuery)
	it := pq.Items[0]
	if !it.Neg || it.Category != "F" || it.Key != "a.b" || it.Op != ">=" || it.Value != "3" || it.ValueQuote != '\'' {
		t.Errorf("first item = %+v", it)
	}
	if pq.Ops[0] != "or" || pq.Items[1].Group == nil || pq.Items[1].Group.Items[0].Key != "File@tag" {
		t.Errorf("second item = %+v", pq.Items[1])
	}
}
