package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Issue 17's conveniences, through the built binary.

func TestVersion(t *testing.T) {
	out, stderr, code := runBinary(t, "version")
	if code != 0 || !strings.HasPrefix(out, "fleetcheck ") || !strings.Contains(out, "\ncommit ") || !strings.Contains(out, runtime.Version()) {
		t.Errorf("version: exit %d, %q %q", code, out, stderr)
	}
	flag, _, code := runBinary(t, "--version")
	if code != 0 || flag != out {
		t.Errorf("--version: exit %d, %q, want the output of version %q", code, flag, out)
	}
}

// completeBash runs the bash completion function on words (the last one
// being completed) and returns what it offers.
func completeBash(t *testing.T, env []string, words ...string) []string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script, stderr, code := runBinaryEnv(t, env, "completion", "bash")
	if code != 0 {
		t.Fatalf("completion bash: exit %d %s", code, stderr)
	}
	dir := t.TempDir()
	file := writeFile(t, dir, "fleetcheck.bash", script)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	prog := "source " + file + "; COMP_WORDS=(fleetcheck " + strings.Join(quoted, " ") + "); COMP_CWORD=" +
		strconv.Itoa(len(words)) + "; _fleetcheck; printf '%s\\n' \"${COMPREPLY[@]}\""
	cmd := exec.Command(bash, "--norc", "-c", prog)
	cmd.Env = append(append(os.Environ(), "FLEETCHECK_CONFIG=", "PATH="+filepath.Dir(binary)+":"+os.Getenv("PATH")), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash: %v", err)
	}
	return strings.Fields(string(out))
}

func TestCompletionBash(t *testing.T) {
	dir := t.TempDir()
	owners := writeFile(t, dir, "owners.yaml", "fallback: triage\nteams: {traffic: {contact: a}, triage: {contact: b}, data: {contact: c}}\n")
	cfg := writeFile(t, dir, "fleetcheck.yaml", "owners: "+owners+"\n")
	for _, tc := range []struct {
		words []string
		want  []string
	}{
		{[]string{"sw"}, []string{"sweep"}},
		{[]string{"owners", "ex"}, []string{"explain"}},
		{[]string{"sweep", "--fan"}, []string{"--fanout"}},
		{[]string{"exec", "--succ"}, []string{"--success-percentage"}},
		{[]string{"sweep", "-c", "pu"}, []string{"puppet"}},
		{[]string{"checks", "di"}, []string{"disk"}},
		{[]string{"sweep", "--team", "tr"}, []string{"traffic", "triage"}},
		{[]string{"owners", "test", "--expect", "d"}, []string{"data"}},
		{[]string{"completion", "f"}, []string{"fish"}},
	} {
		got := completeBash(t, []string{"FLEETCHECK_CONFIG=" + cfg}, tc.words...)
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("fleetcheck %s<TAB>: %q, want %q", strings.Join(tc.words, " "), got, tc.want)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string][]string{
		"zsh":  {"#compdef fleetcheck", "bashcompinit", "complete -F _fleetcheck fleetcheck"},
		"fish": {"complete -c fleetcheck -n '__fish_use_subcommand' -a 'sweep'", "-l check -s c -x -a '(fleetcheck completion --list checks)'", "-l team -x -a '(fleetcheck completion --list teams)'", "__fish_seen_subcommand_from owners; and not __fish_seen_subcommand_from explain test lint' -a 'explain'"},
	} {
		out, stderr, code := runBinary(t, "completion", shell)
		if code != 0 {
			t.Fatalf("completion %s: exit %d %s", shell, code, stderr)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("completion %s lacks %q", shell, w)
			}
		}
		if path, err := exec.LookPath(shell); err == nil {
			check := exec.Command(path, "-n")
			check.Stdin = strings.NewReader(out)
			if msg, err := check.CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v %s", shell, err, msg)
			}
		}
	}
	_, stderr, code := runBinary(t, "completion", "tcsh")
	wantExit(t, []string{"completion", "tcsh"}, stderr, code, exitUsage, `unknown shell "tcsh"`, "bash, zsh, fish")
}
