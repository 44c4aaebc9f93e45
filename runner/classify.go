package runner

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrOutputLimit marks a command whose output was cut at Config.OutputLimit.
var ErrOutputLimit = errors.New("output limit reached")

// timeoutError is a deadline of ours that ran out: what (with subject,
// when set, before it) did not happen within after. The message is built
// only when read, so arming a deadline costs one small allocation.
type timeoutError struct {
	subject string        // "connect 10.0.0.1:22", "" for none
	what    string        // "no answer", "not done"
	after   time.Duration // the deadline
}

func (e *timeoutError) Error() string {
	if e.subject == "" {
		return e.what + " within " + e.after.String()
	}
	return e.subject + ": " + e.what + " within " + e.after.String()
}

// Timeout reports true: it marks the error as a timeout for Classify.
func (e *timeoutError) Timeout() bool { return true }

// Classify maps an error from dialing, the handshake or a session to its
// ErrorKind. A nil error is KindNone.
func Classify(err error) ErrorKind {
	if err == nil {
		return KindNone
	}
	var keyErr *knownhosts.KeyError
	if errors.As(err, &keyErr) {
		if len(keyErr.Want) == 0 {
			return KindHostKeyUnknown
		}
		return KindHostKeyMismatch
	}
	var revoked *knownhosts.RevokedError
	if errors.As(err, &revoked) {
		return KindHostKeyMismatch
	}
	if errors.Is(err, ErrOutputLimit) {
		return KindOutputLimit
	}
	if errors.Is(err, context.Canceled) {
		return KindCanceled
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return KindDNS
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return KindRefused
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return KindTimeout
	}
	var to interface{ Timeout() bool }
	if errors.As(err, &to) && to.Timeout() {
		return KindTimeout
	}
	msg := err.Error()
	if strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain") {
		return KindAuth
	}
	var missing *ssh.ExitMissingError
	// x/crypto's answer to a channel open when the connection went down
	// before the reply ("%T" of the nil read from the closed channel).
	if strings.Contains(msg, "in response to channel open: <nil>") || errors.As(err, &missing) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, net.ErrClosed) {
		return KindConnectionLost
	}
	return KindError
}
