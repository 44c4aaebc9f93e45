package checks

import (
	"strings"
	"testing"
)

// The built-in checks' parameter messages read as the config loader's:
// "expected X, found Y", the value described as YAML shows it, never a Go
// type name (issue 11).
func TestParamMessagesExpectedFound(t *testing.T) {
	tests := []struct {
		typ    string
		params Params
		want   string
	}{
		{"disk", Params{"warn": 150}, `parameter "warn": expected a percentage in (0, 100], found 150`},
		{"disk", Params{"warn": 80, "crit": 0}, `parameter "crit": expected a percentage in (0, 100], found 0`},
		{"memory", Params{"warn": -1}, `parameter "warn": expected a percentage in (0, 100], found -1`},
		{"memory", Params{"warn": 10, "crit": 101.5}, `parameter "crit": expected a percentage in (0, 100], found 101.5`},
		{"load", Params{"period": 3}, `parameter "period": expected 1, 5, 15 or all, found "3"`},
		{"http", Params{"url": "http://a/", "expect": 700}, `parameter "expect": expected an HTTP status code 100..599, found the integer 700`},
		{"http", Params{"url": "http://a/", "expect": "99"}, `parameter "expect": expected an HTTP status code 100..599, found "99"`},
		{"http", Params{"url": "http://a/", "timeout": 0}, `parameter "timeout": expected a positive duration such as 10s, found 0s`},
		{"http", Params{"url": "gopher://a/"}, `parameter "url": expected an http:// or https:// URL, found "gopher://a/"`},
		{"certs", Params{"files": []any{"/a", ""}}, `parameter "files": item 2: expected a file path, found ""`},
		{"certs", Params{"files": []any{"/a", 3}}, `parameter "files": item 2: expected a string, found the integer 3`},
	}
	reg := Builtins()
	for _, tt := range tests {
		_, err := reg.New(tt.typ, tt.typ, tt.params)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s %v: error %v, want %q", tt.typ, tt.params, err, tt.want)
			continue
		}
		for _, bad := range []string{"want ", ", got ", "[]interface", "float64", "int64", "map["} {
			if strings.Contains(err.Error(), bad) {
				t.Errorf("%s %v: %q says %q", tt.typ, tt.params, err, bad)
			}
		}
	}
}
