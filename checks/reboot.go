package checks

import "errors"

// rebootBuiltin is a placeholder until the reboot check lands.
func rebootBuiltin() Builtin {
	return Builtin{Name: "reboot", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("reboot: not implemented yet") }}
}
