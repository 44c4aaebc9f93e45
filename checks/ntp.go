package checks

import "errors"

// ntpBuiltin is a placeholder until the ntp check lands.
func ntpBuiltin() Builtin {
	return Builtin{Name: "ntp", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("ntp: not implemented yet") }}
}
