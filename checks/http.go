package checks

import "errors"

// httpBuiltin is a placeholder until the http check lands.
func httpBuiltin() Builtin {
	return Builtin{Name: "http", Help: "not implemented yet", Default: false,
		New: func(string, Params) (Check, error) { return nil, errors.New("http: not implemented yet") }}
}
