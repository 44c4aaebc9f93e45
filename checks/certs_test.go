package checks

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCertsGolden(t *testing.T) {
	chk := mustNew(t, "certs", "tls", Params{"files": []any{"/etc/ssl/certs/www.pem", "/etc/ssl/certs/api.pem"}})
	runGolden(t, chk, "testdata/certs")
}

func TestCertsNew(t *testing.T) {
	tests := []paramCase{
		{Params{"files": []any{"/a.pem"}}, ""},
		{Params{"files": "/a.pem", "warn": "30d", "crit": 10}, ""},
		{Params{}, `parameter "files": required: a list of certificate files`},
		{Params{"files": []any{"/a", ""}}, `parameter "files": item 2: expected a file path, found ""`},
		{Params{"files": []any{"/a\n/b"}}, `parameter "files": item 1: expected a file path, found "/a\n/b"`},
		{Params{"files": "/a", "warn": "soon"}, `parameter "warn": bad duration "soon": expected a number and a unit such as 90s, 15m, 1h or 7d`},
		{Params{"files": "/a", "crit": "30d"}, `parameter "crit": 30d is longer than warn (21d): the warning would never show`},
		{Params{"files": "/a", "days": 3}, `parameter "days": unknown parameter (known: files, warn, crit)`},
	}
	checkNewErrors(t, "certs", "c", tests)
}

func TestCertsThresholdParams(t *testing.T) {
	chk := mustNew(t, "certs", "c", Params{"files": "/x.pem", "warn": "60d", "crit": "30d"})
	out := Output{Now: goldenNow, Stdout: []byte("--- fleetcheck:now ---\n1800000000\n" +
		"--- fleetcheck:cert n=1 state=present ---\nnotAfter=Feb 24 08:00:00 2027 GMT\nrc=0\n--- fleetcheck:end ---\n")}
	res := chk.Evaluate(out)
	if res.Status != Warning || res.Summary != "/x.pem expires in 40d (WARNING)" {
		t.Errorf("got %s %q", res.Status, res.Summary)
	}
	if len(res.Metrics) != 1 || res.Metrics[0].Value != 40 || res.Metrics[0].Warn != "60:" || res.Metrics[0].Crit != "30:" {
		t.Errorf("metrics %+v", res.Metrics)
	}
}

func TestFormatCertAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0m", 90 * time.Minute: "90m", 3 * time.Hour: "3h", 47 * time.Hour: "47h", 50 * time.Hour: "2d", 400 * 24 * time.Hour: "400d",
	} {
		if got := formatCertAge(d); got != want {
			t.Errorf("formatCertAge(%s) = %q, want %q", d, got, want)
		}
	}
}

// writeTestCert writes a self-signed PEM certificate valid until notAfter.
func writeTestCert(t *testing.T, path string, notAfter time.Time) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test.example.org"},
		NotBefore:    notAfter.Add(-365 * 24 * time.Hour),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCertsRunsOpenSSLHere(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl on this machine")
	}
	dir := t.TempDir()
	soon := filepath.Join(dir, "soon cert's.pem") // a space and a quote, to exercise quoting
	later := filepath.Join(dir, "later.pem")
	junk := filepath.Join(dir, "junk.pem")
	now := time.Now().UTC().Truncate(time.Second)
	writeTestCert(t, soon, now.Add(5*24*time.Hour+time.Hour))
	writeTestCert(t, later, now.Add(100*24*time.Hour))
	if err := os.WriteFile(junk, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	chk := mustNew(t, "certs", "c", Params{"files": []any{later, soon}})
	res := chk.Evaluate(runCommandHere(t, chk.Command()))
	if want := soon + " expires in 5d (CRITICAL)"; res.Status != Critical || res.Summary != want {
		t.Errorf("got %s %q, want CRITICAL %q\ndetails: %s", res.Status, res.Summary, want, res.Details)
	}
	if !strings.Contains(res.Details, "subject CN = test.example.org") || len(res.Metrics) != 2 {
		t.Errorf("details %q metrics %+v", res.Details, res.Metrics)
	}
	chk = mustNew(t, "certs", "c", Params{"files": []any{later, junk, filepath.Join(dir, "absent.pem")}})
	res = chk.Evaluate(runCommandHere(t, chk.Command()))
	if want := junk + ": not a readable certificate"; res.Status != Unknown || !strings.HasPrefix(res.Summary, want) || !strings.Contains(res.Summary, ", "+filepath.Join(dir, "absent.pem")+": not found (UNKNOWN); "+later+" expires in ") {
		t.Errorf("got %s %q, want UNKNOWN starting %q", res.Status, res.Summary, want)
	}
}

func TestCertsContract(t *testing.T) {
	checkBuiltinContract(t, "certs", Params{"files": []any{"/etc/ssl/certs/www.pem"}})
}
