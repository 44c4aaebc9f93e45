package checks

import (
	"fmt"
	"io"

	"github.com/olekukonko/tablewriter"
)

// Describe writes a table of the registry's checks: name, what each
// reports, and whether it is in the default set (`fleetcheck checks`).
func Describe(w io.Writer, reg Registry) error {
	t := tablewriter.NewTable(w)
	t.Header("Check", "Reports", "Default")
	for _, name := range reg.Names() {
		b := reg[name]
		def := "no"
		if b.Default {
			def = "yes"
		}
		if err := t.Append(name, b.Help, def); err != nil {
			return fmt.Errorf("describe checks: %w", err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("describe checks: %w", err)
	}
	return nil
}

// DescribeOne writes one check's description and a table of its parameters
// with their defaults and help (`fleetcheck checks NAME`).
func DescribeOne(w io.Writer, b Builtin) error {
	def := "no"
	if b.Default {
		def = "yes"
	}
	if _, err := fmt.Fprintf(w, "%s: %s\ndefault: %s\n", b.Name, b.Help, def); err != nil {
		return fmt.Errorf("describe %s: %w", b.Name, err)
	}
	if len(b.Params) == 0 {
		if _, err := fmt.Fprintln(w, "parameters: none"); err != nil {
			return fmt.Errorf("describe %s: %w", b.Name, err)
		}
		return nil
	}
	t := tablewriter.NewTable(w)
	t.Header("Parameter", "Default", "Help")
	for _, p := range b.Params {
		d := p.Default
		if d == "" {
			d = "-"
		}
		if err := t.Append(p.Name, d, p.Help); err != nil {
			return fmt.Errorf("describe %s: %w", b.Name, err)
		}
	}
	if err := t.Render(); err != nil {
		return fmt.Errorf("describe %s: %w", b.Name, err)
	}
	return nil
}
