package posfile

import (
	"errors"
	"io/fs"
	"testing"
)

func TestError(t *testing.T) {
	cause := fs.ErrNotExist
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{Errorf("hosts.yaml", 3, 5, "unknown key %q", "prot"), `hosts.yaml:3:5: unknown key "prot"`},
		{Errorf("hosts.yaml", 3, 0, "bad"), "hosts.yaml:3: bad"},
		{Errorf("hosts.yaml", 0, 0, "empty file"), "hosts.yaml: empty file"},
		{&Error{File: "owners.yaml", Line: 2, Col: 7, Msg: "webhook_file", Err: cause}, "owners.yaml:2:7: webhook_file: file does not exist"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	wrapped := &Error{File: "f", Err: cause}
	if !errors.Is(wrapped, fs.ErrNotExist) {
		t.Error("Unwrap does not expose the cause")
	}
}
