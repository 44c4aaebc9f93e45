// Package posfile holds the error type shared by every input-file parser:
// an error that names file, line and column, as editors and compilers do.
package posfile

import "fmt"

// Error is a problem at a position in an input file.
type Error struct {
	File string // path as the user gave it; "query" for a command-line query
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Msg  string // what is wrong and what was expected
	Err  error  // optional cause
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d", pos, e.Line)
		if e.Col > 0 {
			pos = fmt.Sprintf("%s:%d", pos, e.Col)
		}
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", pos, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", pos, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error at file:line:col.
func Errorf(file string, line, col int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}
