package main

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/checks"
	"github.com/fleetcheck/fleetcheck/ownership"
	"github.com/urfave/cli/v2"
)

func ownersCommand() *cli.Command {
	statusFlag := &cli.StringFlag{Name: "status", Value: "CRITICAL", Usage: "severity of the failure, for its SLA"}
	return &cli.Command{
		Name:  "owners",
		Usage: "explain, test and lint the owners file",
		Subcommands: []*cli.Command{
			{
				Name:      "explain",
				Usage:     "which rule owns a host's failure, and why each rule did or did not match",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag),
				Action: func(c *cli.Context) error {
					m, host, check, status, err := ownersArgs(c, 1)
					if err != nil {
						return err
					}
					if check != "" {
						if known := m.checks; !matchesAny(check, known) {
							msg := fmt.Sprintf("warning: no check is named %q", check)
							if s := suggest(check, known); s != "" {
								msg += fmt.Sprintf(" (did you mean %q?)", s)
							}
							fmt.Fprintf(c.App.ErrWriter, "fleetcheck: %s; checks: %s\n", msg, strings.Join(known, ", "))
						}
					}
					return ownership.WriteExplain(c.App.Writer, m.Explain(host, check, status))
				},
			},
			{
				Name:      "test",
				Usage:     "exit 1 unless TEAM owns the failure (for CI of the owners file)",
				ArgsUsage: "HOST [CHECK]",
				Flags:     append(inputFlags(), statusFlag, &cli.StringFlag{Name: "expect", Usage: "the expected owning `TEAM` (required)"}),
				Action: func(c *cli.Context) error {
					if c.String("expect") == "" {
						return usageError("owners test: --expect TEAM is required (the team that should own HOST [CHECK])")
					}
					m, host, check, _, err := ownersArgs(c, 1)
					if err != nil {
						return err
					}
					if err := checkTeam(c.String("expect"), m.File()); err != nil {
						return usageError("owners test: %s", strings.Replace(err.Error(), "--team", "--expect", 1))
					}
					if err := m.Test(host, check, c.String("expect")); err != nil {
						return cli.Exit(err.Error(), 1)
					}
					fmt.Fprintf(c.App.Writer, "ok: %s owns %s %s\n", c.String("expect"), host, check)
					return nil
				},
			},
			{
				Name:  "lint",
				Usage: "unknown or unused teams, rules that never match or are shadowed, hosts no rule owns",
				Flags: inputFlags(),
				Action: func(c *cli.Context) error {
					e, err := loadEnv(c)
					if err != nil {
						return err
					}
					f, _, err := e.owners(c.Context)
					if err != nil {
						return err
					}
					if f == nil {
						return usageError("owners lint: no owners file (--owners or owners: in the config)")
					}
					if len(e.inv.Hosts) == 0 {
						return usageError("owners lint: no inventory was loaded (give --inventory, or inventory: in the config): rules cannot be checked against no hosts")
					}
					findings, err := f.Lint(c.Context, e.query)
					if err != nil {
						return configError(err)
					}
					known, err := e.checkNames()
					if err != nil {
						return err
					}
					findings = append(findings, lintRuleChecks(f, known)...)
					slices.SortStableFunc(findings, func(a, b ownership.Finding) int {
						return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
					})
					if err := ownership.WriteLint(c.App.Writer, findings); err != nil {
						return err
					}
					for _, fd := range findings {
						if fd.Severity == ownership.SeverityError {
							return cli.Exit("", 1)
						}
					}
					return nil
				},
			},
		},
	}
}

// ownersMatcher is the compiled owners file and the names of the checks
// that exist (built-in and configured).
type ownersMatcher struct {
	*ownership.Matcher
	checks []string
}

// ownersArgs loads the owners matcher and reads HOST [CHECK] and --status.
func ownersArgs(c *cli.Context, min int) (*ownersMatcher, string, string, checks.Status, error) {
	if c.NArg() < min || c.NArg() > 2 {
		return nil, "", "", 0, usageError("%s: want HOST [CHECK]", c.Command.Name)
	}
	status, err := checks.ParseStatus(c.String("status"))
	if err != nil {
		return nil, "", "", 0, usageError("--status: %v", err)
	}
	e, err := loadEnv(c)
	if err != nil {
		return nil, "", "", 0, err
	}
	_, m, err := e.owners(c.Context)
	if err != nil {
		return nil, "", "", 0, err
	}
	if m == nil {
		return nil, "", "", 0, usageError("no owners file (--owners or owners: in the config)")
	}
	known, err := e.checkNames()
	if err != nil {
		return nil, "", "", 0, err
	}
	return &ownersMatcher{m, known}, c.Args().Get(0), c.Args().Get(1), status, nil
}

// lintRuleChecks reports rules naming a check (or a glob) that matches no
// check that exists: `checks: [pupet]` would never own anything.
func lintRuleChecks(f *ownership.File, known []string) []ownership.Finding {
	var out []ownership.Finding
	for _, r := range f.Rules {
		for _, name := range r.Checks {
			if matchesAny(name, known) {
				continue
			}
			msg := fmt.Sprintf("rule %s names check %q, which does not exist", r.ID, name)
			if s := suggest(name, known); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", s)
			}
			out = append(out, ownership.Finding{Severity: ownership.SeverityError, Pos: r.Pos, Msg: msg})
		}
	}
	return out
}

// matchesAny reports whether the check name or glob pattern matches one of names.
func matchesAny(pattern string, names []string) bool {
	for _, n := range names {
		if ok, _ := path.Match(pattern, n); ok {
			return true
		}
	}
	return false
}
