package checks

import "errors"

// certsBuiltin is a placeholder until the certs check lands.
func certsBuiltin() Builtin {
	return Builtin{Name: "certs", Help: "not implemented yet", Default: false,
		New: func(string, Params) (Check, error) { return nil, errors.New("certs: not implemented yet") }}
}
