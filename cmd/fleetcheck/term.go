package main

import (
	"io"
	"os"
	"strconv"

	"golang.org/x/term"
)

// terminal is where a command reads and writes and what it knows of the
// terminal: main fills it from the process, tests set it as they need.
type terminal struct {
	In       io.Reader
	Out, Err io.Writer
	InTTY    bool // stdin is a terminal: exec may ask for confirmation
	OutTTY   bool // stdout is a terminal: tables may be coloured
	ErrTTY   bool // stderr is a terminal: progress may be drawn
	Width    int  // stdout's columns: the terminal's, else $COLUMNS, else 0 (the renderer's default)
	NoColor  bool // $NO_COLOR is set
}

// systemTerminal is the process's terminal.
func systemTerminal() *terminal {
	t := &terminal{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY: isTTY(os.Stdin), OutTTY: isTTY(os.Stdout), ErrTTY: isTTY(os.Stderr),
		NoColor: os.Getenv("NO_COLOR") != "",
	}
	if t.OutTTY {
		t.Width, _, _ = term.GetSize(int(os.Stdout.Fd()))
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); t.Width <= 0 && err == nil && n > 0 {
		t.Width = n
	}
	return t
}

// color reports whether output to stdout may be coloured.
func (t *terminal) color() bool { return t.OutTTY && !t.NoColor }

// isTTY reports whether f is a terminal.
func isTTY(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
