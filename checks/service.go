package checks

import "errors"

// serviceBuiltin is a placeholder until the service check lands.
func serviceBuiltin() Builtin {
	return Builtin{Name: "service", Help: "not implemented yet", Default: false,
		New: func(string, Params) (Check, error) { return nil, errors.New("service: not implemented yet") }}
}
