package checks

import "errors"

// diskBuiltin is a placeholder until the disk check lands.
func diskBuiltin() Builtin {
	return Builtin{Name: "disk", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("disk: not implemented yet") }}
}
