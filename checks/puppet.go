package checks

import "errors"

// puppetBuiltin is a placeholder until the puppet check lands.
func puppetBuiltin() Builtin {
	return Builtin{Name: "puppet", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("puppet: not implemented yet") }}
}
