package runner

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// markerLine is one @cert-authority line of a known_hosts file.
type markerLine struct {
	patterns []string // host patterns, as written (wildcards, negations, hashes)
	known    knownhosts.KnownKey
}

// markers are the @revoked and @cert-authority lines of known_hosts files,
// read here as well as by knownhosts: host certificates are checked
// against them with OpenSSH's pattern matching ("*" matches any port;
// knownhosts matches a port-less pattern on port 22 only), a revoked key
// is reported with its line, and certificate algorithms are offered only
// to hosts some CA is trusted for.
type markers struct {
	revoked map[string]knownhosts.KnownKey // by public key wire form
	cas     []markerLine
}

// parseMarkers reads the marker lines of files; other lines are skipped.
// Lines that do not parse are left to knownhosts, which reports them.
func parseMarkers(files []string) (markers, error) {
	m := markers{revoked: map[string]knownhosts.KnownKey{}}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return m, fmt.Errorf("known_hosts %s: %w", file, err)
		}
		for n, text := range bytes.Split(data, []byte("\n")) {
			trimmed := bytes.TrimSpace(text)
			if !bytes.HasPrefix(trimmed, []byte("@")) {
				continue
			}
			marker, hosts, key, _, _, perr := ssh.ParseKnownHosts(trimmed)
			if perr != nil {
				continue
			}
			kk := knownhosts.KnownKey{Key: key, Filename: file, Line: n + 1}
			switch marker {
			case "revoked":
				m.revoked[string(key.Marshal())] = kk
			case "cert-authority":
				m.cas = append(m.cas, markerLine{patterns: hosts, known: kk})
			}
		}
	}
	return m, nil
}

// revokedKey returns the @revoked line that applies to key: its own, or
// for a certificate that of the certified key or of its signing CA.
func (m *markers) revokedKey(key ssh.PublicKey) (knownhosts.KnownKey, bool) {
	if len(m.revoked) == 0 {
		return knownhosts.KnownKey{}, false
	}
	candidates := []ssh.PublicKey{key}
	if cert, ok := key.(*ssh.Certificate); ok {
		candidates = append(candidates, cert.Key, cert.SignatureKey)
	}
	for _, k := range candidates {
		if kk, ok := m.revoked[string(k.Marshal())]; ok {
			return kk, true
		}
	}
	return knownhosts.KnownKey{}, false
}

// authorities returns the @cert-authority lines whose patterns match
// name, written as known_hosts writes it ("host" or "[host]:port").
func (m *markers) authorities(name string) []knownhosts.KnownKey {
	var out []knownhosts.KnownKey
	for _, ca := range m.cas {
		if matchHostPatterns(ca.patterns, name) {
			out = append(out, ca.known)
		}
	}
	return out
}

// matchHostPatterns reports whether name matches a known_hosts host list
// as OpenSSH reads it: some pattern (with * and ?, or a hashed |1| name)
// matches and no negated one (!pattern) does.
func matchHostPatterns(patterns []string, name string) bool {
	matched := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		if negated {
			p = p[1:]
		}
		var ok bool
		if strings.HasPrefix(p, "|1|") {
			ok = matchHashed(p, name)
		} else {
			ok = matchWildcard(strings.ToLower(p), strings.ToLower(name))
		}
		if ok && negated {
			return false
		}
		matched = matched || ok
	}
	return matched
}

// matchHashed checks name against a hashed entry "|1|salt|hash"
// (base64 HMAC-SHA1 of the name keyed with the salt).
func matchHashed(entry, name string) bool {
	parts := strings.Split(entry, "|")
	if len(parts) != 4 {
		return false
	}
	salt, err1 := base64.StdEncoding.DecodeString(parts[2])
	want, err2 := base64.StdEncoding.DecodeString(parts[3])
	if err1 != nil || err2 != nil {
		return false
	}
	mac := hmac.New(sha1.New, salt)
	mac.Write([]byte(name))
	return hmac.Equal(mac.Sum(nil), want)
}

// matchWildcard matches s against pattern, where * is any run of
// characters and ? any one character (OpenSSH's match_pattern).
func matchWildcard(pattern, s string) bool {
	star, resume := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(pattern) && (pattern[i] == '?' || pattern[i] == s[j]):
			i++
			j++
		case i < len(pattern) && pattern[i] == '*':
			star, resume = i, j
			i++
		case star >= 0:
			resume++
			i, j = star+1, resume
		default:
			return false
		}
	}
	for i < len(pattern) && pattern[i] == '*' {
		i++
	}
	return i == len(pattern)
}

// hostKeyAlgorithms splits the library's supported host key algorithms
// into certificate and plain ones.
func hostKeyAlgorithms() (certs, plain []string) {
	for _, a := range ssh.SupportedAlgorithms().HostKeys {
		if strings.Contains(a, "-cert-v01@openssh.com") {
			certs = append(certs, a)
		} else {
			plain = append(plain, a)
		}
	}
	return certs, plain
}
