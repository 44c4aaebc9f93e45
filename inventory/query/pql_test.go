package query

import (
	"strings"
	"testing"
)

func TestPQL(t *testing.T) {
	const res, inv = "certname in resources[certname] { ", "certname in inventory[certname] { "
	tests := []struct {
		in   string // inside of P{}
		want string // condition inside nodes[certname] { ... }, or "ERR:substring"
	}{
		{"R:Class = Role::Web", res + `type = "Class" and title = "Role::Web" }`},
		{"R:class = role::my_class", res + `type = "Class" and title = "Role::My_class" }`},
		{"R:Class ~ '^Role::(web|cache)$'", res + `type = "Class" and title ~ "^Role::(web|cache)$" }`},
		{"R:File = '/etc/motd'", res + `type = "File" and title = "/etc/motd" }`},
		{"R:nginx::site", res + `type = "Nginx::Site" }`},
		{"R:Class%param = 'some value'", res + `type = "Class" and parameters.param = "some value" }`},
		{"R:File@tag ~ 'some [r]egex'", res + `type = "File" and tag ~ "some [r]egex" }`},
		{"C:Role::Web", res + `type = "Class" and title = "Role::Web" }`},
		{"C:profile::base%ensure = present", res + `type = "Class" and title = "Profile::Base" and parameters.ensure = "present" }`},
		{"O:Module::class", res + `type = "Class" and title = "Role::Module::Class" }`},
		{"O:Module::class@tag ~ 'x'", res + `type = "Class" and title = "Role::Module::Class" and tag ~ "x" }`},
		{"P:Module::class%param = 'v'", res + `type = "Class" and title = "Profile::Module::Class" and parameters.param = "v" }`},
		{"F:os.family = Debian", inv + `facts.os.family = "Debian" }`},
		{"F:processorcount >= 8", inv + `facts.processorcount >= 8 }`},
		{"F:is_virtual = true", inv + `facts.is_virtual = true }`},
		{"F:load < -0.5", inv + `facts.load < -0.5 }`},
		{"F:x > 5.", inv + `facts.x > 5.0 }`},
		{"F:x > .5", inv + `facts.x > 0.5 }`},
		{"F:x = 1e3", inv + `facts.x = 1000.0 }`},
		{"F:x = +7", inv + `facts.x = 7 }`},
		{"F:mode = 0755", inv + `facts.mode = 493 }`},
		{"F:x = 08", inv + `facts.x = 8 }`},
		{"F:x = 0xfa", inv + `facts.x = 250 }`},
		{"F:x = '0xfa'", inv + `facts.x = "0xfa" }`},
		{"F:x = 5abc", inv + `facts.x = "5abc" }`},
		{"F:x = trueish", inv + `facts.x = "trueish" }`},
		{"F:x ~ 5", inv + `facts.x ~ "5" }`},
		{`F:x = "a"b`, inv + `facts.x = "\"a\"b" }`},
		{`F:x = "a b"`, inv + `facts.x = "a b" }`},
		{"F:version = '8'", inv + `facts.version = "8" }`},
		{"F:a.b_c-3 >= 3.5-c", inv + `facts.a."b_c-3" >= "3.5-c" }`},
		{"F:key1", inv + `facts.key1 is not null }`},
		{`F:path ~ "^C:\\\\"`, inv + `facts.path ~ "^C:\\\\\\\\" }`},
		{"I:trusted.extensions.pp_role = web", inv + `trusted.extensions.pp_role = "web" }`},
		{"web01.example.org", `certname = "web01.example.org"`},
		{"web0[1-2].example.org", `(certname = "web01.example.org" or certname = "web02.example.org")`},
		{"web*.example.org", `certname ~ "^web.*\\.example\\.org$"`},
		{"*", `certname ~ "^.*$"`},
		{`"quoted.example.org"`, `certname = "quoted.example.org"`},
		{"not web1", `!(certname = "web1")`},
		{"web1 and not (web2 or web3)", `(certname = "web1" and !((certname = "web2" or certname = "web3")))`},
		{"F:a = 1 or F:b = 2 and F:c = 3", "ERR:got 'and' after 'or'"},
		{"R:File%a@b = 1", "ERR:both '%'"},
		{"C:Role::Web = x", "ERR:takes no value"},
	}
	for _, tt := range tests {
		e, err := Parse("P{" + tt.in + "}")
		if err != nil {
			t.Errorf("P{%s}: %v", tt.in, err)
			continue
		}
		got, err := PQL(e.(*Block).Query.(*PuppetQuery))
		if want, isErr := strings.CutPrefix(tt.want, "ERR:"); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("P{%s}: err = %v, want %q", tt.in, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("P{%s}: %v", tt.in, err)
			continue
		}
		if want := "nodes[certname] { " + tt.want + " }"; got != want {
			t.Errorf("P{%s}:\n got %s\nwant %s", tt.in, got, want)
		}
	}
}
