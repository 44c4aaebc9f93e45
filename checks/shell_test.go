package checks

import (
	"os/exec"
	"strings"
	"testing"
)

func TestShellQuoteTable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "''"},
		{"/var/log", "/var/log"},
		{"nginx.service", "nginx.service"},
		{"a b", "'a b'"},
		{"it's", `'it'\''s'`},
		{"$(reboot)", "'$(reboot)'"},
		{"*.timer", "'*.timer'"},
		{"a\nb", "'a\nb'"},
	} {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestShellQuoteRoundTrip feeds quoted words to a real sh and checks that
// each comes back as exactly one unchanged argument.
func TestShellQuoteRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	words := []string{"", "plain", "two words", "it's", `"dq"`, "$(echo pwned)", "`id`", "a\\b", "*", "~root",
		"semi;colon", "new\nline", "tab\there", "-n", "ümlaut", "'", "''", "&|<>"}
	script := "for a; do printf '%s\\0' \"$a\"; done"
	out, err := exec.Command("sh", "-c", "set -- "+shellQuoteAll(words...)+"; "+script).CombinedOutput()
	if err != nil {
		t.Fatalf("sh: %v: %s", err, out)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(words) {
		t.Fatalf("got %d args %q, want %d", len(got), got, len(words))
	}
	for i := range words {
		if got[i] != words[i] {
			t.Errorf("arg %d: got %q, want %q", i, got[i], words[i])
		}
	}
}

func TestReadSections(t *testing.T) {
	out := Output{Stdout: []byte("pre\n--- fleetcheck:a x=1 y=two ---\nline1\r\n\nline2\n--- fleetcheck:b ---\nk=v\n--- fleetcheck:end ---\nafter\n")}
	ss, err := readSections(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 3 || ss[0].Name != "" || ss[1].Name != "a" || ss[2].Name != "b" {
		t.Fatalf("sections = %+v", ss)
	}
	a, _ := ss.Get("a")
	if a.Attr("x") != "1" || a.Attr("y") != "two" {
		t.Errorf("attrs = %v", a.Attrs)
	}
	if got := strings.Join(a.Lines(), "|"); got != "line1|line2" {
		t.Errorf("lines = %q", got)
	}
	if kv := ss.KeyValues("b"); kv["k"] != "v" {
		t.Errorf("kv = %v", kv)
	}

	for _, tc := range []struct {
		name, stdout, wantErr string
	}{
		{"empty", "  \n", "no output"},
		{"binary", "\x00\x01ELF", "binary"},
		{"html", "<html><body>502</body></html>\n", "unexpected output"},
		{"truncated", "--- fleetcheck:a ---\nx\n", "truncated"},
	} {
		_, err := readSections(Output{Stdout: []byte(tc.stdout), ExitCode: 1, Stderr: []byte("boom\n")})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "exit 1: boom") {
			t.Errorf("%s: err = %v, want %q and exit note", tc.name, err, tc.wantErr)
		}
	}
}

func TestMarkerLineRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	cmd := markerLine("summary", "path=/x", "n=$((1+2))") + "; echo body; " + markerLine(endSection)
	out, err := exec.Command("sh", "-c", cmd).Output()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := readSections(Output{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	s, ok := ss.Get("summary")
	if !ok || s.Attr("path") != "/x" || s.Attr("n") != "3" || s.Body != "body\n" {
		t.Errorf("got %+v", ss)
	}
}

func TestCaptureLines(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	cmd := captureSetup + "; " + captureLines("x", "echo out1; echo err1 >&2; echo out2; exit 3") + "; " +
		captureLines("y", "echo fine") + "; " + markerLine(endSection)
	out, err := exec.Command("sh", "-c", cmd).Output()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := readSections(Output{Stdout: out})
	if err != nil {
		t.Fatal(err)
	}
	x, _ := ss.Get("x")
	rc, stderr, ok := ss.exitStatus("x")
	if x.Body != "out1\nout2\n" || rc != 3 || stderr != "err1" || !ok {
		t.Errorf("x: body %q rc %d stderr %q ok %v", x.Body, rc, stderr, ok)
	}
	rc, stderr, ok = ss.exitStatus("y")
	if rc != 0 || stderr != "" || !ok {
		t.Errorf("y: rc %d stderr %q ok %v", rc, stderr, ok)
	}
}
