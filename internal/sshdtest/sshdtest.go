// Package sshdtest starts a real OpenSSH sshd for tests, as
// net/http/httptest starts an HTTP server: on 127.0.0.1 and a free port,
// in a temporary directory, with fresh host keys and a client key
// authorized for the current user. Tests are skipped when sshd is absent.
//
// The server holds an ECDSA host key besides the ed25519 one that
// HostKeyLine records: a client that does not restrict its host key
// algorithms to the recorded types picks ECDSA and sees a mismatch.
package sshdtest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHDPath is where sshd is looked for first; PATH is searched after.
const SSHDPath = "/usr/sbin/sshd"

// privsepDir is the directory sshd running as root insists on.
const privsepDir = "/run/sshd"

// Server is a running sshd.
type Server struct {
	Addr          string        // "127.0.0.1:port"
	Port          int           // the port sshd listens on
	User          string        // the user the client key logs in as
	ClientSigner  ssh.Signer    // the key authorized for User
	ClientKeyPath string        // ClientSigner's private key file (OpenSSH PEM, mode 0600)
	HostKey       ssh.PublicKey // sshd's ed25519 host key (the one HostKeyLine records)
	ECDSAHostKey  ssh.PublicKey // sshd's second host key, ECDSA P-256
	Dir           string        // the temporary directory holding config and keys

	cmd    *exec.Cmd
	exited chan error
	logs   *lockedBuffer
}

// HostKeyLine is a known_hosts line for the server's host key under its
// address: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
func (s *Server) HostKeyLine() string {
	return fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(s.HostKey))))
}

// Logs returns what sshd wrote to stderr so far.
func (s *Server) Logs() string { return s.logs.String() }

// Options change what StartWith sets up.
type Options struct {
	// HostCA, when set, signs a host certificate for the ed25519 host key
	// that sshd presents (HostCertificate) to clients asking for one.
	HostCA ssh.Signer
	// CertPrincipals are the certificate's principals; nil: "127.0.0.1".
	CertPrincipals []string
	// MaxSessions is sshd's MaxSessions (sessions open at once on one
	// connection); 0 leaves sshd's default, 10.
	MaxSessions int
}

// Start runs sshd until the test ends; it skips the test when sshd is
// missing or cannot run here.
func Start(t testing.TB) *Server {
	t.Helper()
	return StartWith(t, Options{})
}

// StartWith is Start with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	bin, err := findSSHD()
	if err != nil {
		t.Skipf("sshdtest: OpenSSH sshd not available: %v", err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("sshdtest: current user: %v", err)
	}
	if os.Geteuid() == 0 {
		if err := os.MkdirAll(privsepDir, 0o755); err != nil {
			t.Skipf("sshdtest: sshd as root needs %s: %v", privsepDir, err)
		}
	}
	dir := t.TempDir()
	s := &Server{Dir: dir, User: u.Username, logs: &lockedBuffer{}}

	hostKeyPath := filepath.Join(dir, "ssh_host_ed25519_key")
	hostPub, err := writeKey(hostKeyPath)
	if err != nil {
		t.Fatalf("sshdtest: host key: %v", err)
	}
	s.HostKey = hostPub
	ecdsaKeyPath := filepath.Join(dir, "ssh_host_ecdsa_key")
	if s.ECDSAHostKey, err = writeECDSAKey(ecdsaKeyPath); err != nil {
		t.Fatalf("sshdtest: host key: %v", err)
	}
	var extra string
	if opts.HostCA != nil {
		certPath, err := writeHostCert(hostKeyPath, hostPub, opts)
		if err != nil {
			t.Fatalf("sshdtest: host certificate: %v", err)
		}
		extra = "HostCertificate " + certPath + "\n"
	}
	if opts.MaxSessions > 0 {
		extra += fmt.Sprintf("MaxSessions %d\n", opts.MaxSessions)
	}
	s.ClientKeyPath = filepath.Join(dir, "client_ed25519")
	clientPub, err := writeKey(s.ClientKeyPath)
	if err != nil {
		t.Fatalf("sshdtest: client key: %v", err)
	}
	pemBytes, err := os.ReadFile(s.ClientKeyPath)
	if err != nil {
		t.Fatalf("sshdtest: %v", err)
	}
	if s.ClientSigner, err = ssh.ParsePrivateKey(pemBytes); err != nil {
		t.Fatalf("sshdtest: client key: %v", err)
	}
	authKeys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authKeys, ssh.MarshalAuthorizedKey(clientPub), 0o600); err != nil {
		t.Fatalf("sshdtest: %v", err)
	}

	// sshd binds the port itself; a port just freed by us is taken and a
	// rare collision is retried.
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("sshdtest: free port: %v", err)
		}
		cfgPath := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(cfgPath, []byte(config(port, []string{hostKeyPath, ecdsaKeyPath}, authKeys, u.Username)+extra), 0o600); err != nil {
			t.Fatalf("sshdtest: %v", err)
		}
		if lastErr = s.run(bin, cfgPath, port); lastErr == nil {
			t.Cleanup(s.stop)
			return s
		}
	}
	t.Fatalf("sshdtest: sshd did not start: %v\n%s", lastErr, s.Logs())
	return nil
}

// config is the sshd_config of a test server.
func config(port int, hostKeys []string, authKeys, userName string) string {
	return fmt.Sprintf(`ListenAddress 127.0.0.1:%d
HostKey %s
AuthorizedKeysFile %s
AllowUsers %s
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
AllowAgentForwarding no
AllowTcpForwarding yes
X11Forwarding no
PermitTTY no
PrintMotd no
LogLevel VERBOSE
`, port, strings.Join(hostKeys, "\nHostKey "), authKeys, userName)
}

// run starts sshd on port and waits until it accepts connections.
func (s *Server) run(bin, cfgPath string, port int) error {
	cmd := exec.Command(bin, "-D", "-e", "-f", cfgPath)
	cmd.Stdout = s.logs
	cmd.Stderr = s.logs
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("sshd exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			ok := readBanner(c)
			c.Close()
			if ok {
				s.cmd, s.Addr, s.Port = cmd, addr, port
				s.exited = exited
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Kill()
	<-exited
	return errors.New("sshd not answering within 10s")
}

// readBanner reports whether the peer sends an SSH banner.
func readBanner(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-")
}

// stop kills sshd and waits for it.
func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// findSSHD returns the sshd binary.
func findSSHD() (string, error) {
	if _, err := os.Stat(SSHDPath); err == nil {
		return SSHDPath, nil
	}
	return exec.LookPath("sshd")
}

// freePort returns a loopback TCP port free at the time of the call.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// writeKey generates an ed25519 key, writes it to path in OpenSSH form
// (mode 0600) and returns its public half.
func writeKey(path string) (ssh.PublicKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "sshdtest")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(pub)
}

// writeECDSAKey generates an ECDSA P-256 key, writes it to path in
// OpenSSH form (mode 0600) and returns its public half.
func writeECDSAKey(path string) (ssh.PublicKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(priv, "sshdtest")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	return ssh.NewPublicKey(&priv.PublicKey)
}

// lockedBuffer is a bytes.Buffer safe for sshd's writes and a test's reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// writeHostCert signs a host certificate for pub with opts.HostCA, valid
// from an hour ago for a day, and writes it beside the key as
// KEY-cert.pub.
func writeHostCert(keyPath string, pub ssh.PublicKey, opts Options) (string, error) {
	principals := opts.CertPrincipals
	if principals == nil {
		principals = []string{"127.0.0.1"}
	}
	now := time.Now()
	cert := &ssh.Certificate{
		Key:             pub,
		CertType:        ssh.HostCert,
		KeyId:           "sshdtest host",
		ValidPrincipals: principals,
		ValidAfter:      uint64(now.Add(-time.Hour).Unix()),
		ValidBefore:     uint64(now.Add(24 * time.Hour).Unix()),
	}
	if err := cert.SignCert(rand.Reader, opts.HostCA); err != nil {
		return "", err
	}
	path := keyPath + "-cert.pub"
	return path, os.WriteFile(path, ssh.MarshalAuthorizedKey(cert), 0o644)
}
