package runner

import (
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
}

type knownHostsDB struct {
	once sync.Once
	idx  knownIndex          // set when every line is a plain entry
	cb   ssh.HostKeyCallback // knownhosts' matcher otherwise
	err  error
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
	return &hostKeys{dbs: map[string]*knownHostsDB{}, probe: probe}, nil
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
		}
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
	algorithms []string            // ClientConfig.HostKeyAlgorithms; nil: library default
}

// policy builds the host key check for ep: known_hosts lookup under the
// address dialed, algorithms restricted to the key types recorded for it,
// and unknown keys accepted with a warning when ep is not strict.
func (k *hostKeys) policy(ep *endpoint) (hostKeyPolicy, error) {
	db, err := k.db(ep.knownHosts)
	if err != nil {
		return hostKeyPolicy{}, err
	}
	cb := db.callback()
	files := ep.knownHosts
	var algos []string
	for _, want := range db.recorded(ep.addr(), ep.port, k.probe) {
		algos = appendAlgorithms(algos, want.Key.Type())
	}
	strict := ep.strict
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(hostname, remote, key)
		if err == nil {
			return nil
		}
		var keyErr *knownhosts.KeyError
		if !errors.As(err, &keyErr) {
			return err
		}
		name := knownhosts.Normalize(hostname)
		if len(keyErr.Want) > 0 {
			w := keyErr.Want[0]
			return fmt.Errorf("host key %s %s of %s does not match %s:%d (%s): %w",
				key.Type(), ssh.FingerprintSHA256(key), name, w.Filename, w.Line, ssh.FingerprintSHA256(w.Key), err)
		}
		if strict {
			return fmt.Errorf("host key %s %s of %s is not in %s: %w",
				key.Type(), ssh.FingerprintSHA256(key), name, strings.Join(files, ", "), err)
		}
		slog.Warn("accepting unknown host key (StrictHostKeyChecking off), not recording it",
			"host", name, "type", key.Type(), "fingerprint", ssh.FingerprintSHA256(key))
		return nil
	}
	return hostKeyPolicy{callback: check, algorithms: algos}, nil
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
