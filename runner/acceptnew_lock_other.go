//go:build !unix

package runner

import "errors"

// lockFile cannot lock known_hosts here: accept-new then accepts new keys
// without recording them, with a warning.
func lockFile(path string) (func(), error) {
	return nil, errors.New("known_hosts lock " + path + ": not supported on this platform")
}
