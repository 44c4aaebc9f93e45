package checks

import "errors"

// nagiosBuiltin is a placeholder until the nagios check lands.
func nagiosBuiltin() Builtin {
	return Builtin{Name: "nagios", Help: "not implemented yet", Default: false,
		New: func(string, Params) (Check, error) { return nil, errors.New("nagios: not implemented yet") }}
}
