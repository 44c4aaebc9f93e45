package checks

import "errors"

// memoryBuiltin is a placeholder until the memory check lands.
func memoryBuiltin() Builtin {
	return Builtin{Name: "memory", Help: "not implemented yet", Default: true,
		New: func(string, Params) (Check, error) { return nil, errors.New("memory: not implemented yet") }}
}
