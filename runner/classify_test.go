package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

func TestClassify(t *testing.T) {
	pub := testPublicKey(t)
	tests := []struct {
		name string
		err  error
		want ErrorKind
	}{
		{"nil", nil, KindNone},
		{"dns", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}, KindDNS},
		{"dns timeout is still dns", fmt.Errorf("dial: %w", &net.DNSError{Err: "i/o timeout", IsTimeout: true}), KindDNS},
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, KindRefused},
		{"deadline", fmt.Errorf("ssh handshake: %w", context.DeadlineExceeded), KindTimeout},
		{"i/o timeout", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, KindTimeout},
		{"our timeout", &timeoutError{what: "no banner", after: time.Second}, KindTimeout},
		{"unknown key", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{}), KindHostKeyUnknown},
		{"changed key", fmt.Errorf("ssh: handshake failed: %w", &knownhosts.KeyError{Want: []knownhosts.KnownKey{{Key: pub}}}), KindHostKeyMismatch},
		{"revoked key", &knownhosts.RevokedError{}, KindHostKeyMismatch},
		{"auth", errors.New("ssh: handshake failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"), KindAuth},
		{"eof", fmt.Errorf("wait: %w", io.EOF), KindConnectionLost},
		{"reset", &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, KindConnectionLost},
		{"exit missing", &ssh.ExitMissingError{}, KindConnectionLost},
		{"connection gone during channel open", errors.New("command b: open session: ssh: unexpected packet in response to channel open: <nil>"), KindConnectionLost},
		{"output limit", fmt.Errorf("command x: %w", ErrOutputLimit), KindOutputLimit},
		{"canceled", fmt.Errorf("host: %w", context.Canceled), KindCanceled},
		{"other", errors.New("ssh: command sh failed"), KindError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestCtxErrKeepsCanceledVisible(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt"))
	if got := Classify(ctxErr(ctx)); got != KindCanceled {
		t.Errorf("Classify(ctxErr) = %q, want %q", got, KindCanceled)
	}
}
