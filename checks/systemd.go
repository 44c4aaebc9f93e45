package checks

import "errors"

// systemdBuiltin is a placeholder until the systemd check lands.
func systemdBuiltin() Builtin {
	return Builtin{Name: "systemd", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("systemd: not implemented yet") }}
}
