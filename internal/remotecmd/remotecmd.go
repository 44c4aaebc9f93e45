// Package remotecmd wraps a POSIX sh command line so that the host itself
// enforces its deadline: coreutils (or busybox) timeout where it works,
// TERM and then KILL after a grace, else a POSIX sh watcher. OpenSSH
// refuses signal requests for root logins and leaves a command running
// when its session closes, so a deadline enforced only by the client
// leaves hung commands behind on the host. The test for timeout is part
// of the one command: no extra round trip.
package remotecmd

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// prefix starts every wrapped line; Unwrap recognises it.
const prefix = "fc_c='"

// Wrap returns line run under a deadline on the host: sh -c line (not
// "$SHELL" -c: with bash there, a real sshd refused some of 20 sessions
// opened 8 at a time, "open failed", for reasons not found), sent TERM
// after deadline and KILL kill later. A deadline of 0 or less
// returns line unchanged.
//
// With timeout (GNU or busybox 1.30+) the command runs in a process group
// of its own, all of which is sent TERM; timeout returns as soon as its
// own child (the sh -c) ends, so what is left of the group then (a plugin
// or its child that ignores TERM) is sent KILL kill later by the wrapper.
// The POSIX fallback signals the process group the shell leads (sshd
// makes each session's shell a group leader), or where the shell leads
// none (kill -- -$$ then fails: no such group), the command's own process
// only; a finished command leaves its watcher's sleep to end by itself.
// A command that died of a signal makes the wrapper die of it too, as
// the command alone would have.
func Wrap(line string, deadline, kill time.Duration) string {
	if deadline <= 0 {
		return line
	}
	ceil := func(d time.Duration) string { return strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10) }
	return fmt.Sprintf(prefix+"%s'; "+
		"if timeout -k 1 1 true >/dev/null 2>&1; then timeout -k %s %s sh -c \"$fc_c\" & fc_p=$!; wait $fc_p; fc_s=$?; "+
		"if [ $fc_s = 124 ] && kill -0 -$fc_p 2>/dev/null; then sleep %s 2>/dev/null || sleep %s; kill -KILL -$fc_p 2>/dev/null; fi; "+
		"else exec sh -c \"$fc_c\" & fc_p=$!; "+
		"(trap '' TERM; sleep %s; kill -TERM -$$ || kill -TERM $fc_p; sleep %s; kill -KILL -$$ || kill -KILL $fc_p) </dev/null >/dev/null 2>&1 & fc_w=$!; "+
		"wait $fc_p; fc_s=$?; kill -KILL $fc_w 2>/dev/null; fi; "+
		"if [ $fc_s -gt 128 ] && [ $fc_s -lt 160 ]; then kill -$((fc_s - 128)) $$; fi; exit $fc_s",
		quote(line), seconds(kill), seconds(deadline), seconds(kill), ceil(kill), ceil(deadline), ceil(kill))
}

// Unwrap returns the command line inside a line built by Wrap, with the
// deadline and kill grace written there; ok is false for any other line.
func Unwrap(wrapped string) (line string, deadline, kill time.Duration, ok bool) {
	rest, found := strings.CutPrefix(wrapped, prefix)
	if !found {
		return wrapped, 0, 0, false
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(rest, '\'')
		if i < 0 {
			return wrapped, 0, 0, false
		}
		b.WriteString(rest[:i])
		rest = rest[i+1:]
		if after, esc := strings.CutPrefix(rest, `\''`); esc {
			b.WriteByte('\'')
			rest = after
			continue
		}
		break
	}
	var k, d float64
	if _, err := fmt.Sscanf(rest, "; if timeout -k 1 1 true >/dev/null 2>&1; then timeout -k %g %g ", &k, &d); err != nil {
		return wrapped, 0, 0, false
	}
	return b.String(), time.Duration(d * float64(time.Second)), time.Duration(k * float64(time.Second)), true
}

// StoppedByDeadline reports whether a wrapped command's end is the work
// of its deadline: timeout's 124, TERM or KILL (an exit status of 128 plus
// the signal from the fallback's shell, or the signal itself), and at
// least deadline since the command started.
func StoppedByDeadline(exitCode int, signal string, ran, deadline time.Duration) bool {
	if deadline <= 0 || ran < deadline {
		return false
	}
	switch {
	case signal == "TERM" || signal == "KILL":
		return true
	case signal != "":
		return false
	}
	return exitCode == 124 || exitCode == 128+9 || exitCode == 128+15
}

// quote escapes s for use inside single quotes.
func quote(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

// seconds formats d as timeout(1) reads it: decimal seconds, to the
// millisecond, rounded up.
func seconds(d time.Duration) string {
	ms := (d + time.Millisecond - 1) / time.Millisecond
	return strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)
}
