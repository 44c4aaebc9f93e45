package checks

import "errors"

// loadBuiltin is a placeholder until the load check lands.
func loadBuiltin() Builtin {
	return Builtin{Name: "load", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("load: not implemented yet") }}
}
