package runner

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// hostKeys holds parsed known_hosts databases, one per distinct list of
// files, parsed once and shared by every host that uses the same files.
type hostKeys struct {
	mu    sync.Mutex
	dbs   map[string]*knownHostsDB
	probe ssh.PublicKey // a throwaway key no host presents
	// acceptNew records unknown keys for every endpoint (Config.AcceptNew).
	acceptNew bool
	writer    *knownHostsWriter // records accepted new keys
}

type knownHostsDB struct {
	once  sync.Once
	idx   knownIndex          // set when every line is a plain entry
	cb    ssh.HostKeyCallback // knownhosts' matcher otherwise
	marks markers             // @revoked and @cert-authority lines (matcher only)
	err   error
}

func newHostKeys() (*hostKeys, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host keys: probe key: %w", err)
	}
	probe, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("host keys: probe key: %w", err)
	}
	return &hostKeys{dbs: map[string]*knownHostsDB{}, probe: probe, writer: newKnownHostsWriter()}, nil
}

// db returns the known_hosts database of files, parsing them on first
// use. Missing files are skipped, as OpenSSH does.
func (k *hostKeys) db(files []string) (*knownHostsDB, error) {
	key := strings.Join(files, "\x00")
	k.mu.Lock()
	db := k.dbs[key]
	if db == nil {
		db = &knownHostsDB{}
		k.dbs[key] = db
	}
	k.mu.Unlock()
	db.once.Do(func() {
		var present []string
		for _, f := range files {
			if _, err := os.Stat(f); err == nil {
				present = append(present, f)
			} else if !errors.Is(err, os.ErrNotExist) {
				db.err = fmt.Errorf("known_hosts %s: %w", f, err)
				return
			}
		}
		idx, ok, err := buildKnownIndex(present)
		if err != nil {
			db.err = err
			return
		}
		if ok {
			db.idx = idx
			return
		}
		db.cb, db.err = knownhosts.New(present...)
		if db.err != nil {
			db.err = fmt.Errorf("known_hosts: %w", db.err)
			return
		}
		db.marks, db.err = parseMarkers(present)
	})
	return db, db.err
}

// callback returns the host key callback of db: the index's check, or
// knownhosts' callback.
func (db *knownHostsDB) callback() ssh.HostKeyCallback {
	if db.idx != nil {
		return func(hostname string, _ net.Addr, key ssh.PublicKey) error {
			return db.idx.check(hostname, key)
		}
	}
	return db.cb
}

// recorded returns the keys recorded for addr ("host:port").
func (db *knownHostsDB) recorded(addr string, port int, probe ssh.PublicKey) []knownhosts.KnownKey {
	if db.idx != nil {
		return db.idx[knownhosts.Normalize(addr)]
	}
	var keyErr *knownhosts.KeyError
	remote := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	if err := db.cb(addr, remote, probe); errors.As(err, &keyErr) {
		return keyErr.Want
	}
	return nil
}

// hostKeyPolicy is how one endpoint's host key is checked.
type hostKeyPolicy struct {
	callback   ssh.HostKeyCallback // strictness applied
	algorithms []string            // ClientConfig.HostKeyAlgorithms
}

// policy builds the host key check for ep: known_hosts lookup under the
// address dialed, revoked keys refused, host certificates accepted when
// signed by a CA trusted for the address (and then preferred), algorithms
// restricted to the key types recorded for it (any plain type when none
// is), and unknown keys recorded under accept-new, accepted with a
// warning when ep is not strict, refused otherwise.
func (k *hostKeys) policy(ep *endpoint) (hostKeyPolicy, error) {
	db, err := k.db(ep.knownHosts)
	if err != nil {
		return hostKeyPolicy{}, err
	}
	cb := db.callback()
	files := ep.knownHosts
	certAlgos, plainAlgos := hostKeyAlgorithms()
	var algos []string
	for _, want := range db.recorded(ep.addr(), ep.port, k.probe) {
		algos = appendAlgorithms(algos, want.Key.Type())
	}
	if len(algos) == 0 {
		algos = plainAlgos
	}
	cas := db.marks.authorities(knownhosts.Normalize(ep.addr()))
	if len(cas) > 0 {
		algos = append(append([]string(nil), certAlgos...), algos...)
	}
	strict, record := ep.strict, ep.acceptNew || k.acceptNew
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		name := knownhosts.Normalize(hostname)
		if rev, ok := db.marks.revokedKey(key); ok {
			return fmt.Errorf("host key %s %s of %s is revoked (@revoked at %s:%d): %w",
				key.Type(), ssh.FingerprintSHA256(key), name, rev.Filename, rev.Line, &knownhosts.RevokedError{Revoked: rev})
		}
		if cert, ok := key.(*ssh.Certificate); ok {
			if err := checkHostCert(hostname, remote, cert, cas); err != nil {
				return certError(cert, name, cas, err)
			}
			return nil
		}
		err := cb(hostname, remote, key)
		if err == nil {
			return nil
		}
		var revoked *knownhosts.RevokedError
		if errors.As(err, &revoked) {
			return fmt.Errorf("host key %s %s of %s is revoked (@revoked at %s:%d): %w",
				key.Type(), ssh.FingerprintSHA256(key), name, revoked.Revoked.Filename, revoked.Revoked.Line, err)
		}
		var keyErr *knownhosts.KeyError
		if !errors.As(err, &keyErr) {
			return err
		}
		if len(keyErr.Want) > 0 {
			w := keyErr.Want[0]
			return fmt.Errorf("host key %s %s of %s does not match %s:%d (%s): %w",
				key.Type(), ssh.FingerprintSHA256(key), name, w.Filename, w.Line, ssh.FingerprintSHA256(w.Key), err)
		}
		if record {
			return k.recordNew(files, hostname, key)
		}
		if strict {
			read := "no known_hosts file"
			if len(files) > 0 {
				read = "known_hosts files read: " + strings.Join(files, ", ")
			}
			return fmt.Errorf("host key %s %s of %s is unknown (%s); if the fingerprint is the host's, run again with --accept-new to record it: %w",
				key.Type(), ssh.FingerprintSHA256(key), name, read, err)
		}
		slog.Warn("accepting unknown host key (StrictHostKeyChecking no), not recording it",
			"host", name, "type", key.Type(), "fingerprint", ssh.FingerprintSHA256(key))
		return nil
	}
	return hostKeyPolicy{callback: check, algorithms: algos}, nil
}

// recordNew records an unknown key under accept-new. A key that cannot be
// recorded (no writable file, a lock held too long) is still accepted, as
// OpenSSH does, with a warning; a key that another process recorded
// differently meanwhile is a mismatch.
func (k *hostKeys) recordNew(files []string, hostname string, key ssh.PublicKey) error {
	name := knownhosts.Normalize(hostname)
	file, err := recordFile(files)
	if err == nil {
		err = k.writer.record(file, hostname, key)
	}
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	if errors.As(err, &revoked) || errors.As(err, &keyErr) && len(keyErr.Want) > 0 {
		return fmt.Errorf("host key %s %s of %s: %w", key.Type(), ssh.FingerprintSHA256(key), name, err)
	}
	if err != nil {
		slog.Warn("accepting new host key without recording it", "host", name, "type", key.Type(),
			"fingerprint", ssh.FingerprintSHA256(key), "err", err)
		return nil
	}
	// Said as OpenSSH says it, at the level shown by default: a key that
	// will be trusted from now on is never recorded silently.
	slog.Warn(fmt.Sprintf("Permanently added %s (%s) to the list of known hosts in %s (--accept-new)", name, key.Type(), file),
		"fingerprint", ssh.FingerprintSHA256(key))
	return nil
}

// checkHostCert verifies a host certificate as OpenSSH does: signed by
// one of cas (the @cert-authority keys whose patterns match the address
// dialed, "host" or "[host]:port"), of host type, valid now, with the host
// name dialed among its principals. Revocation is checked before.
func checkHostCert(hostname string, remote net.Addr, cert *ssh.Certificate, cas []knownhosts.KnownKey) error {
	checker := ssh.CertChecker{
		IsHostAuthority: func(auth ssh.PublicKey, _ string) bool {
			blob := auth.Marshal()
			for _, ca := range cas {
				if bytes.Equal(ca.Key.Marshal(), blob) {
					return true
				}
			}
			return false
		},
	}
	return checker.CheckHostKey(hostname, remote, cert)
}

// certError explains why a host certificate was refused. It wraps a
// *knownhosts.KeyError listing the CAs trusted for the host, so that it
// classifies as a mismatch: the host did not prove the identity expected.
func certError(cert *ssh.Certificate, name string, cas []knownhosts.KnownKey, err error) error {
	want := cas
	if len(want) == 0 {
		want = []knownhosts.KnownKey{{Key: cert.SignatureKey}}
	}
	return fmt.Errorf("host certificate %s of %s (CA %s, principals %q): %w: %w",
		ssh.FingerprintSHA256(cert.Key), name, ssh.FingerprintSHA256(cert.SignatureKey), cert.ValidPrincipals,
		err, &knownhosts.KeyError{Want: want})
}

// appendAlgorithms adds the host key algorithms that verify keys of
// keyType, without duplicates.
func appendAlgorithms(algos []string, keyType string) []string {
	var add []string
	switch keyType {
	case ssh.KeyAlgoRSA:
		add = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	default:
		add = []string{keyType}
	}
	for _, a := range add {
		dup := false
		for _, have := range algos {
			if have == a {
				dup = true
				break
			}
		}
		if !dup {
			algos = append(algos, a)
		}
	}
	return algos
}
