package query

import (
	"strings"
	"testing"
)

func TestPQL(t *testing.T) {
	res := func(cond string) string { return "resources[certname] { " + cond + " group by certname }" }
	node := func(cond string) string { return "nodes[certname] { " + cond + " }" }
	tests := []struct {
		in   string // inside of P{}
		want string // the whole PQL query, or "ERR:substring"
	}{
		{"R:Class = Role::Web", res(`(type = "Class" and title = "Role::Web")`)},
		{"R:class = role::my_class", res(`(type = "Class" and title = "Role::My_class")`)},
		{"R:Class ~ '^Role::(web|cache)$'", res(`(type = "Class" and title ~ "^Role::(web|cache)$")`)},
		{"R:File = '/etc/motd'", res(`(type = "File" and title = "/etc/motd")`)},
		{"R:nginx::site", res(`type = "Nginx::Site"`)},
		{"R:Class%param = 'some value'", res(`(type = "Class" and parameters.param = "some value")`)},
		{"R:File@tag ~ 'some [r]egex'", res(`(type = "File" and tag ~ "some [r]egex")`)},
		{"C:Role::Web", res(`(type = "Class" and title = "Role::Web")`)},
		{"C:profile::base%ensure = present", res(`(type = "Class" and title = "Profile::Base" and parameters.ensure = "present")`)},
		{"O:Module::class", res(`(type = "Class" and title = "Role::Module::Class")`)},
		{"O:Module::class@tag ~ 'x'", res(`(type = "Class" and title = "Role::Module::Class" and tag ~ "x")`)},
		{"P:Module::class%param = 'v'", res(`(type = "Class" and title = "Profile::Module::Class" and parameters.param = "v")`)},
		{"F:os.family = Debian", node(`certname in inventory[certname] { facts.os.family = "Debian" }`)},
		{"F:processorcount >= 8", node(`certname in inventory[certname] { facts.processorcount >= 8 }`)},
		{"F:is_virtual = true", node(`certname in inventory[certname] { facts.is_virtual = true }`)},
		{"F:load < -0.5", node(`certname in inventory[certname] { facts.load < -0.5 }`)},
		{"F:x > 5.", node(`certname in inventory[certname] { facts.x > 5.0 }`)},
		{"F:x > .5", node(`certname in inventory[certname] { facts.x > 0.5 }`)},
		{"F:x = 1e3", node(`certname in inventory[certname] { facts.x = 1000.0 }`)},
		{"F:x = +7", node(`certname in inventory[certname] { facts.x = 7 }`)},
		{"F:mode = 0755", node(`certname in inventory[certname] { facts.mode = 493 }`)},
		{"F:x = 08", node(`certname in inventory[certname] { facts.x = 8 }`)},
		{"F:x = 0xfa", node(`certname in inventory[certname] { facts.x = 250 }`)},
		{"F:x = '0xfa'", node(`certname in inventory[certname] { facts.x = "0xfa" }`)},
		{"F:x = 5abc", node(`certname in inventory[certname] { facts.x = "5abc" }`)},
		{"F:x = trueish", node(`certname in inventory[certname] { facts.x = "trueish" }`)},
		{"F:x ~ 5", node(`certname in inventory[certname] { facts.x ~ "5" }`)},
		{`F:x = "a"b`, node(`certname in inventory[certname] { facts.x = "\"a\"b" }`)},
		{`F:x = "a b"`, node(`certname in inventory[certname] { facts.x = "a b" }`)},
		{"F:version = '8'", node(`certname in inventory[certname] { facts.version = "8" }`)},
		{"F:a.b_c-3 >= 3.5-c", node(`certname in inventory[certname] { facts.a."b_c-3" >= "3.5-c" }`)},
		{"F:key1", node(`certname in inventory[certname] { facts.key1 is not null }`)},
		{`F:path ~ "^C:\\\\"`, node(`certname in inventory[certname] { facts.path ~ "^C:\\\\\\\\" }`)},
		{"I:trusted.extensions.pp_role = web", node(`certname in inventory[certname] { trusted.extensions.pp_role = "web" }`)},
		{"web01.example.org", node(`certname = "web01.example.org"`)},
		{"web0[1-2].example.org", node(`(certname = "web01.example.org" or certname = "web02.example.org")`)},
		{"web*.example.org", node(`certname ~ "^web.*\\.example\\.org$"`)},
		{"*", node(`certname ~ "^.*$"`)},
		{`"quoted.example.org"`, node(`certname = "quoted.example.org"`)},
		{"not web1", node(`!(certname = "web1")`)},
		{"web1 and not (web2 or web3)", node(`(certname = "web1" and !((certname = "web2" or certname = "web3")))`)},
		// A block with a resource condition is one resources query: every
		// and/or/not applies to one resource, as in cumin (issue 18).
		{"R:Service = nginx and R:Service%ensure = running", res(`((type = "Service" and title = "nginx") and (type = "Service" and parameters.ensure = "running"))`)},
		{"R:Class = Role::Web and R:Service = nginx", res(`((type = "Class" and title = "Role::Web") and (type = "Service" and title = "nginx"))`)},
		{"R:Class = Profile::Base and R:Class%variant = light", res(`((type = "Class" and title = "Profile::Base") and (type = "Class" and parameters.variant = "light"))`)},
		{"R:Service = nginx and not R:Service%ensure = stopped", res(`((type = "Service" and title = "nginx") and !((type = "Service" and parameters.ensure = "stopped")))`)},
		{"web1 and R:Service", res(`(certname = "web1" and type = "Service")`)},
		{"(web1 or web2) and not (C:Role::Web)", res(`((certname = "web1" or certname = "web2") and !((type = "Class" and title = "Role::Web")))`)},
		{"F:os.family = Debian and R:Service%ensure ~ '^run'", res(`(certname in inventory[certname] { facts.os.family = "Debian" } and (type = "Service" and parameters.ensure ~ "^run"))`)},
		{"F:kernel = Linux and (F:a = 1 or (P:Base))", res(`(certname in inventory[certname] { facts.kernel = "Linux" } and (certname in inventory[certname] { facts.a = 1 } or (type = "Class" and title = "Profile::Base")))`)},
		{"F:a = 1 or F:b = 2 and F:c = 3", "ERR:found 'and' after 'or'"},
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
		if got != tt.want {
			t.Errorf("P{%s}:\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}
