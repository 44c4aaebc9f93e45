package report

import (
	"strings"
	"time"
	"unicode"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
)

// sanitize makes remote text safe for a terminal: control characters
// (escape sequences included) become "?", except newlines and tabs when
// keepLines is set (tabs become spaces otherwise).
func sanitize(s string, keepLines bool) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' && keepLines:
			b.WriteRune(r)
		case r == '\t':
			if keepLines {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case unicode.IsControl(r):
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// textWidth is the display width of s in terminal columns.
func textWidth(s string) int { return twwidth.Width(s) }

// wrap breaks one line of text into lines of at most width columns. It
// breaks after commas and at spaces where it can, else after '.', '-' or
// '/', and inside a word only when nothing else fits: nothing is ever cut.
func wrap(s string, width int) []string {
	if width < 1 || textWidth(s) <= width {
		return []string{s}
	}
	var lines []string
	runes := []rune(s)
	for len(runes) > 0 {
		fit := fitRunes(runes, width)
		if fit == len(runes) {
			lines = append(lines, string(runes))
			break
		}
		cut, skip := breakAt(runes, fit)
		lines = append(lines, strings.TrimRight(string(runes[:cut]), " "))
		runes = runes[cut+skip:]
		for len(runes) > 0 && runes[0] == ' ' {
			runes = runes[1:]
		}
	}
	return lines
}

// fitRunes is how many leading runes fit in width columns (at least one, so
// that a rune wider than the line still goes somewhere).
func fitRunes(runes []rune, width int) int {
	fit, w := 0, 0
	for fit < len(runes) {
		w += runeWidth(runes[fit])
		if w > width {
			break
		}
		fit++
	}
	return max(fit, 1)
}

// runeWidth is the display width of one rune, without a lookup for ASCII.
func runeWidth(r rune) int {
	if r >= 0x20 && r < 0x7f {
		return 1
	}
	return textWidth(string(r))
}

// breakAt picks where to break a line whose first fit runes fit: the last
// comma or space, unless that leaves less than half the line used and a
// '.', '-' or '/' comes later; failing all, fit itself. skip is the number
// of runes (a space) dropped at the break.
func breakAt(runes []rune, fit int) (cut, skip int) {
	for i := fit; i > fit/2; i-- {
		if runes[i-1] == ',' {
			return i, 0
		}
		if i < len(runes) && runes[i] == ' ' {
			return i, 1
		}
	}
	for i := fit; i > 1; i-- {
		if strings.ContainsRune(".-/", runes[i-1]) {
			return i, 0
		}
	}
	for i := fit / 2; i > 0; i-- {
		if runes[i-1] == ',' {
			return i, 0
		}
		if runes[i] == ' ' {
			return i, 1
		}
	}
	return fit, 0
}

// wrapWords breaks one line of text at spaces into lines of at most width
// columns. Only a word wider than the whole line is broken (as wrap does).
func wrapWords(s string, width int) []string {
	if width < 1 || textWidth(s) <= width {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		if textWidth(word) > width {
			if line != "" {
				lines = append(lines, line)
			}
			parts := wrap(word, width)
			lines = append(lines, parts[:len(parts)-1]...)
			line = parts[len(parts)-1]
			continue
		}
		switch {
		case line == "":
			line = word
		case textWidth(line)+1+textWidth(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	return append(lines, line)
}

// humanDuration renders an elapsed time briefly: "840ms", "2.1s", "1m3s".
func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

// ANSI SGR sequences for statuses and emphasis.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBlue   = "\x1b[34m"
	ansiMagent = "\x1b[35m"
	ansiCyan   = "\x1b[36m"
	ansiBoldRd = "\x1b[1;31m"
)

// painter colours text when enabled.
type painter bool

// paint wraps s in the SGR sequence code when colour is on.
func (p painter) paint(code, s string) string {
	if !p || s == "" {
		return s
	}
	return code + s + ansiReset
}

// status colours a status name by its severity.
func (p painter) status(st string) string {
	return p.paint(statusColor(st), st)
}

// statusColor is the SGR sequence of a status name.
func statusColor(st string) string {
	switch st {
	case "OK":
		return ansiGreen
	case "WARNING":
		return ansiYellow
	case "CRITICAL":
		return ansiBoldRd
	case "UNKNOWN":
		return ansiMagent
	case "UNREACHABLE":
		return ansiCyan
	}
	return ansiBold
}
