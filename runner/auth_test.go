package runner

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/fleetsim"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// authFleet serves one host and returns it with a known_hosts file.
func authFleet(t *testing.T) (*fleetsim.Fleet, string) {
	t.Helper()
	f := startFleet(t, fleetsim.Options{Hosts: []fleetsim.HostSpec{{Name: "h", Respond: answer}}})
	return f, writeFile(t, t.TempDir(), "known_hosts", string(f.KnownHosts()))
}

// runOne runs "echo hi" on the fleet's host h with cfg and returns its output.
func runOne(t *testing.T, f *fleetsim.Fleet, cfg Config) HostOutput {
	t.Helper()
	if cfg.SSHConfigPath == "" {
		cfg.SSHConfigPath = "none"
	}
	cfg.DefaultUser = f.User()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: fleetHost(t, f, "h"), Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 10*time.Second)
	return outs[0]
}

func TestAuthAgent(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // no default key files
	f, kh := authFleet(t)
	raw, err := ssh.ParseRawPrivateKey(f.ClientKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: raw}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				agent.ServeAgent(keyring, c)
			}()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)

	if ho := runOne(t, f, Config{KnownHosts: []string{kh}, UseAgent: true}); ho.Err != nil {
		t.Errorf("with the agent: %v", ho.Err)
	}
	if ho := runOne(t, f, Config{KnownHosts: []string{kh}}); ho.Kind != KindAuth {
		t.Errorf("without the agent: kind %q err %v, want auth", ho.Kind, ho.Err)
	}
}

func TestAuthDefaultKeyFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	f, kh := authFleet(t)
	if err := os.Mkdir(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(home, ".ssh"), "id_ecdsa", "not a key\n") // unusable: skipped
	writeFile(t, filepath.Join(home, ".ssh"), "id_rsa", string(f.ClientKeyPEM()))
	if ho := runOne(t, f, Config{KnownHosts: []string{kh}}); ho.Err != nil {
		t.Errorf("with ~/.ssh/id_rsa: %v", ho.Err)
	}
}

func TestAuthEncryptedIdentitySkipped(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("SSH_AUTH_SOCK", "")
	f, kh := authFleet(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKeyWithPassphrase(priv, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	encrypted := writeFile(t, dir, "encrypted", string(pem.EncodeToMemory(block)))
	good := writeFile(t, dir, "good", string(f.ClientKeyPEM()))
	cfg := writeFile(t, dir, "config", "Host *\n  IdentityFile "+good+"\n")

	r, err := New(Config{SSHConfigPath: cfg, KnownHosts: []string{kh}, DefaultUser: f.User()})
	if err != nil {
		t.Fatal(err)
	}
	host := fleetHost(t, f, "h")
	host.IdentityFile = encrypted
	outs, _, _ := runTasks(t, context.Background(), r, []Task{{Host: host, Commands: []Command{{ID: "a", Line: "echo hi"}}}}, 10*time.Second)
	if outs[0].Err != nil {
		t.Errorf("encrypted host key then ssh_config key: %v", outs[0].Err)
	}
	if s := r.keys.signer(encrypted); s != nil {
		t.Error("an encrypted key gave a signer")
	}
}

// panicSigner panics when asked for its key, as a broken plugin might.
type panicSigner struct{}

func (panicSigner) PublicKey() ssh.PublicKey { panic("broken signer") }
func (panicSigner) Sign(io.Reader, []byte) (*ssh.Signature, error) {
	panic("broken signer")
}

func TestPanicIsTheHostsOutput(t *testing.T) {
	f, kh := authFleet(t)
	ho := runOne(t, f, Config{KnownHosts: []string{kh}, Signers: []ssh.Signer{panicSigner{}}})
	if ho.Kind != KindError || ho.Err == nil || !strings.Contains(ho.Err.Error(), "panic") {
		t.Errorf("kind %q err %v, want a KindError output naming the panic", ho.Kind, ho.Err)
	}
}

func TestNewRejectsNegativeSettings(t *testing.T) {
	for _, cfg := range []Config{{Fanout: -1}, {HostTimeout: -time.Second}, {OutputLimit: -1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
	r, err := New(Config{SSHConfigPath: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if r.cfg.Fanout != DefaultFanout || r.cfg.HostTimeout != 30*time.Second || r.cfg.OutputLimit != 1<<20 || r.cfg.Keepalive != 5*time.Second {
		t.Errorf("defaults not applied: %+v", r.cfg)
	}
}
