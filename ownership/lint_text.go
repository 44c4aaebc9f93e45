package ownership

import (
	"io"
	"strings"
)

// WriteLint writes findings one a line, as compilers do:
// "file:line:col: severity: message". No findings writes nothing.
func WriteLint(w io.Writer, findings []Finding) error {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
