package checks

import (
	"cmp"
	"fmt"
	"io"

	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/pkg/twwarp"
	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/olekukonko/tablewriter/tw"
)

// DescribeFit writes a table of the registry's checks: name, what each
// reports, and whether it is in the default set (`fleetcheck checks`), in
// at most width columns (0: no limit), the text wrapped at spaces.
func DescribeFit(w io.Writer, reg Registry, width int) error {
	t := newDescribeTable(w)
	t.Header("Check", "Reports", "Default")
	nameW := widest(len("CHECK"), reg.Names()...)
	for _, name := range reg.Names() {
		b := reg[name]
		def := "no"
		if b.Default {
			def = "yes"
		}
		if err := t.Append(name, fitCell(b.Help, width, nameW, len("DEFAULT")), def); err != nil {
			return fmt.Errorf("describe checks: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("describe checks: %w", err)
	}
	return nil
}

// DescribeOneFit writes one check's description and a table of its
// parameters with their defaults and help (`fleetcheck checks NAME`), the
// table in at most width columns (0: no limit).
func DescribeOneFit(w io.Writer, b Builtin, width int) error {
	def := "no"
	if b.Default {
		def = "yes"
	}
	title := b.Name + ": " + b.Help
	if width > 0 {
		lines, _ := twwarp.WrapString(title, width)
		title = strings.Join(lines, "\n")
	}
	if _, err := fmt.Fprintf(w, "%s\ndefault: %s\n", title, def); err != nil {
		return fmt.Errorf("describe %s: %w", b.Name, err)
	}
	if len(b.Params) == 0 {
		if _, err := fmt.Fprintln(w, "parameters: none"); err != nil {
			return fmt.Errorf("describe %s: %w", b.Name, err)
		}
		return nil
	}
	t := newDescribeTable(w)
	t.Header("Parameter", "Default", "Help")
	nameW, defW := len("PARAMETER"), len("DEFAULT")
	defaults := make([]string, len(b.Params))
	for i, p := range b.Params {
		defaults[i] = cmp.Or(p.Default, "-")
		if width > 0 { // a long default (a list) wraps at its commas' spaces
			lines, _ := twwarp.WrapString(defaults[i], defaultCellWidth)
			defaults[i] = strings.Join(lines, "\n")
		}
		nameW = widest(nameW, p.Name)
		defW = widest(defW, strings.Split(defaults[i], "\n")...)
	}
	for i, p := range b.Params {
		if err := t.Append(p.Name, defaults[i], fitCell(p.Help, width, nameW, defW)); err != nil {
			return fmt.Errorf("describe %s: %w", b.Name, err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("describe %s: %w", b.Name, err)
	}
	return nil
}

// defaultCellWidth is where a long default value wraps when the output
// must fit a width.
const defaultCellWidth = 16

// newDescribeTable is a table whose cells do not wrap by themselves: fitCell
// wraps the long ones beforehand.
func newDescribeTable(w io.Writer) *tablewriter.Table {
	return tablewriter.NewTable(w, tablewriter.WithRowAutoWrap(tw.WrapNone))
}

// fitCell wraps s at spaces to the room left in width columns by the other
// cells (their widths in others) and the borders; width 0 leaves s whole.
func fitCell(s string, width int, others ...int) string {
	if width <= 0 {
		return s
	}
	room := width - 3*(len(others)+1) - 1 // "│ " before each cell, " " after, final "│"
	for _, o := range others {
		room -= o
	}
	lines, _ := twwarp.WrapString(s, max(room, 20))
	return strings.Join(lines, "\n")
}

// widest is the display width of the widest of texts, at least min.
func widest(min int, texts ...string) int {
	for _, t := range texts {
		min = max(min, twwidth.Width(t))
	}
	return min
}
