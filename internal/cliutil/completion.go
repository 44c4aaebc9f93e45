package cliutil

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fleetcheck/fleetcheck/internal/suggest"
	"github.com/urfave/cli/v2"
)

// CompletionSpec says what a completion script completes beyond the
// commands and flags of the app: values that depend on the user's files
// come from running `APP completion --list KIND` when completing.
type CompletionSpec struct {
	Values map[string]string // flag name -> list kind of its value (check -> checks)
	Args   map[string]string // command path ("checks") -> list kind of its arguments
	Files  []string          // flags whose value is a file name
}

// Shells are the shells Completion writes scripts for.
var Shells = []string{"bash", "zsh", "fish"}

// Completion writes the completion script of app for shell.
func Completion(w io.Writer, app *cli.App, shell string, spec CompletionSpec) error {
	var b strings.Builder
	switch shell {
	case "bash":
		bashCompletion(&b, app, spec)
	case "zsh":
		fmt.Fprintf(&b, "#compdef %s\n# zsh completion for %s: source <(%s completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n", app.Name, app.Name, app.Name)
		bashCompletion(&b, app, spec)
	case "fish":
		fishCompletion(&b, app, spec)
	default:
		return cli.Exit(fmt.Sprintf("completion: unknown shell %q%s; shells: %s", shell, suggest.DidYouMean(shell, Shells), strings.Join(Shells, ", ")), ExitUsage)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// command is one command of the tree with its path ("owners explain").
type command struct {
	path string
	cmd  *cli.Command
}

// commands lists the visible commands, parents before children.
func commands(cmds []*cli.Command, parent string) []command {
	var out []command
	for _, c := range cmds {
		if c.Hidden || c.Name == "help" {
			continue
		}
		p := strings.TrimSpace(parent + " " + c.Name)
		out = append(out, command{p, c})
		out = append(out, commands(c.Subcommands, p)...)
	}
	return out
}

// names are the visible names of cmds.
func names(cmds []*cli.Command) []string {
	var out []string
	for _, c := range cmds {
		if !c.Hidden && c.Name != "help" {
			out = append(out, c.Name)
		}
	}
	return out
}

// visible are the flags a user types: not hidden, not --help (the
// scripts add it once).
func visible(flags []cli.Flag) []cli.Flag {
	var out []cli.Flag
	for _, f := range flags {
		v, ok := f.(interface{ IsVisible() bool })
		if (!ok || v.IsVisible()) && !slices.Contains(f.Names(), "help") {
			out = append(out, f)
		}
	}
	return out
}

// flagWords are the flags as typed, --long and -s.
func flagWords(flags []cli.Flag) []string {
	var out []string
	for _, f := range visible(flags) {
		for _, n := range f.Names() {
			out = append(out, dashed(n))
		}
	}
	return out
}

// flagsFor are the flags of spec's kind among all commands' flags, as typed.
func flagsFor(all []command, app *cli.App, keep func(name string) bool) []string {
	var out []string
	for _, f := range append(slices.Clone(app.Flags), allFlags(all)...) {
		if keep(f.Names()[0]) {
			for _, n := range f.Names() {
				if w := dashed(n); !slices.Contains(out, w) {
					out = append(out, w)
				}
			}
		}
	}
	return out
}

func allFlags(all []command) []cli.Flag {
	var out []cli.Flag
	for _, c := range all {
		out = append(out, c.cmd.Flags...)
	}
	return out
}

func bashCompletion(b *strings.Builder, app *cli.App, spec CompletionSpec) {
	fn, all := "_"+strings.ReplaceAll(app.Name, "-", "_"), commands(app.Commands, "")
	list := func(kind string) string {
		return fmt.Sprintf(`COMPREPLY=($(compgen -W "$(%s completion --list %s 2>/dev/null)" -- "$cur"))`, app.Name, kind)
	}
	fmt.Fprintf(b, "# bash completion for %s: source <(%s completion bash)\n%s() {\n", app.Name, app.Name, fn)
	b.WriteString("    local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\" path=\"\" w i\n")
	b.WriteString("    for ((i = 1; i < COMP_CWORD; i++)); do\n        w=\"${COMP_WORDS[i]}\"\n        case \"${path:+$path }$w\" in\n")
	var paths []string
	for _, c := range all {
		paths = append(paths, "'"+c.path+"'")
	}
	fmt.Fprintf(b, "        %s) path=\"${path:+$path }$w\" ;;\n        esac\n    done\n", strings.Join(paths, "|"))
	b.WriteString("    case \"$prev\" in\n")
	kinds := map[string][]string{}
	for flag, kind := range spec.Values {
		kinds[kind] = append(kinds[kind], flag)
	}
	for _, kind := range sortedKeys(kinds) {
		words := flagsFor(all, app, func(n string) bool { return slices.Contains(kinds[kind], n) })
		fmt.Fprintf(b, "    %s) %s; return ;;\n", strings.Join(words, "|"), list(kind))
	}
	if files := flagsFor(all, app, func(n string) bool { return slices.Contains(spec.Files, n) }); len(files) > 0 {
		fmt.Fprintf(b, "    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(files, "|"))
	}
	b.WriteString("    esac\n    if [[ $cur == -* ]]; then\n        case \"$path\" in\n")
	fmt.Fprintf(b, "        '') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", strings.Join(append(flagWords(app.Flags), "--help"), " "))
	for _, c := range all {
		fmt.Fprintf(b, "        '%s') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", c.path, strings.Join(append(flagWords(c.cmd.Flags), "--help"), " "))
	}
	b.WriteString("        esac\n        return\n    fi\n    case \"$path\" in\n")
	fmt.Fprintf(b, "    '') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", strings.Join(names(app.Commands), " "))
	for _, c := range all {
		if subs := names(c.cmd.Subcommands); len(subs) > 0 {
			fmt.Fprintf(b, "    '%s') COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;\n", c.path, strings.Join(subs, " "))
		} else if kind, ok := spec.Args[c.path]; ok {
			fmt.Fprintf(b, "    '%s') %s ;;\n", c.path, list(kind))
		}
	}
	fmt.Fprintf(b, "    esac\n}\ncomplete -F %s %s\n", fn, app.Name)
}

func fishCompletion(b *strings.Builder, app *cli.App, spec CompletionSpec) {
	fmt.Fprintf(b, "# fish completion for %s: %s completion fish | source\ncomplete -c %s -f\n", app.Name, app.Name, app.Name)
	top := names(app.Commands)
	for _, c := range app.Commands {
		if slices.Contains(top, c.Name) {
			fmt.Fprintf(b, "complete -c %s -n '__fish_use_subcommand' -a '%s' -d '%s'\n", app.Name, c.Name, fishQuote(c.Usage))
		}
	}
	for _, f := range visible(app.Flags) {
		fishFlag(b, app.Name, "__fish_use_subcommand", f, spec)
	}
	for _, c := range commands(app.Commands, "") {
		words := strings.Fields(c.path)
		cond := "__fish_seen_subcommand_from " + words[len(words)-1]
		if subs := names(c.cmd.Subcommands); len(subs) > 0 {
			for _, s := range c.cmd.Subcommands {
				if slices.Contains(subs, s.Name) {
					fmt.Fprintf(b, "complete -c %s -n '%s; and not __fish_seen_subcommand_from %s' -a '%s' -d '%s'\n",
						app.Name, cond, strings.Join(subs, " "), s.Name, fishQuote(s.Usage))
				}
			}
		}
		for _, f := range visible(c.cmd.Flags) {
			fishFlag(b, app.Name, cond, f, spec)
		}
		if kind, ok := spec.Args[c.path]; ok {
			fmt.Fprintf(b, "complete -c %s -n '%s' -a '(%s completion --list %s)'\n", app.Name, cond, app.Name, kind)
		}
	}
}

// fishFlag writes the completion of one flag under cond.
func fishFlag(b *strings.Builder, name, cond string, f cli.Flag, spec CompletionSpec) {
	fmt.Fprintf(b, "complete -c %s -n '%s'", name, cond)
	for _, n := range f.Names() {
		if len(n) == 1 {
			fmt.Fprintf(b, " -s %s", n)
		} else {
			fmt.Fprintf(b, " -l %s", n)
		}
	}
	first := f.Names()[0]
	tv, ok := f.(interface{ TakesValue() bool })
	switch {
	case spec.Values[first] != "":
		fmt.Fprintf(b, " -x -a '(%s completion --list %s)'", name, spec.Values[first])
	case slices.Contains(spec.Files, first):
		b.WriteString(" -r -F")
	case ok && tv.TakesValue():
		b.WriteString(" -x")
	}
	if u, ok := f.(interface{ GetUsage() string }); ok {
		fmt.Fprintf(b, " -d '%s'", fishQuote(u.GetUsage()))
	}
	b.WriteString("\n")
}

// fishQuote makes s safe inside single quotes, without urfave's `PLACEHOLDER` marks.
func fishQuote(s string) string {
	s = strings.ReplaceAll(s, "`", "")
	s = strings.ReplaceAll(s, `\`, `\\`)
	return strings.ReplaceAll(s, "'", `\'`)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
