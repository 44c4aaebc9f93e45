package runner

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// keyFiles parses private key files once and shares the signers across
// hosts. Missing, unreadable or encrypted keys yield no signer.
type keyFiles struct {
	mu    sync.Mutex
	cache map[string]*keyFile
}

type keyFile struct {
	once   sync.Once
	signer ssh.Signer
}

func newKeyFiles() *keyFiles {
	return &keyFiles{cache: map[string]*keyFile{}}
}

// signer returns the signer of the key in path, or nil when it cannot be
// used (logged at debug level).
func (k *keyFiles) signer(path string) ssh.Signer {
	k.mu.Lock()
	kf := k.cache[path]
	if kf == nil {
		kf = &keyFile{}
		k.cache[path] = kf
	}
	k.mu.Unlock()
	kf.once.Do(func() {
		pem, err := os.ReadFile(path)
		if err != nil {
			slog.Debug("identity file skipped", "path", path, "err", err)
			return
		}
		s, err := ssh.ParsePrivateKey(pem)
		var encrypted *ssh.PassphraseMissingError
		switch {
		case errors.As(err, &encrypted):
			slog.Debug("identity file skipped: encrypted (use the agent)", "path", path)
		case err != nil:
			slog.Debug("identity file skipped", "path", path, "err", err)
		default:
			kf.signer = s
		}
	})
	return kf.signer
}

// defaultIdentityFiles are tried when neither the host nor ssh_config
// names an IdentityFile, as OpenSSH does.
func defaultIdentityFiles(home string) []string {
	if home == "" {
		return nil
	}
	dir := filepath.Join(home, ".ssh")
	return []string{
		filepath.Join(dir, "id_ed25519"),
		filepath.Join(dir, "id_ecdsa"),
		filepath.Join(dir, "id_rsa"),
	}
}

// agentSigners connects to the agent at SSH_AUTH_SOCK and lists its keys.
// The returned closer ends the agent connection.
func agentSigners() ([]ssh.Signer, func(), error) {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, func() {}, nil
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, func() {}, fmt.Errorf("ssh agent %s: %w", sock, err)
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		return nil, func() {}, fmt.Errorf("ssh agent %s: list keys: %w", sock, err)
	}
	return signers, func() { conn.Close() }, nil
}

// authMethods returns the single public key method for ep: the
// configured signers, the agent's, then ep's identity files (host's
// first), then the default key files when ep names none.
func (r *Runner) authMethods(ep *endpoint, agentKeys []ssh.Signer) []ssh.AuthMethod {
	files := ep.identityFiles
	if len(files) == 0 {
		files = r.defaultKeys
	}
	signers := make([]ssh.Signer, 0, len(r.cfg.Signers)+len(agentKeys)+len(files))
	signers = append(signers, r.cfg.Signers...)
	signers = append(signers, agentKeys...)
	for _, f := range files {
		if s := r.keys.signer(f); s != nil {
			signers = append(signers, s)
		}
	}
	return []ssh.AuthMethod{ssh.PublicKeys(signers...)}
}
