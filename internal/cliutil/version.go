package cliutil

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// WriteVersion writes program's version, commit and Go version from the
// build information the Go toolchain stamps into the binary.
func WriteVersion(w io.Writer, program string) error {
	version, commit, when, modified := "(devel)", "unknown", "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = " " + s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if modified {
		commit += " (modified)"
	}
	_, err := fmt.Fprintf(w, "%s %s\ncommit %s%s\n%s %s/%s\n", program, version, commit, when, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
