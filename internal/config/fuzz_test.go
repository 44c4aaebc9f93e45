package config

import (
	"strings"
	"testing"
)

// FuzzParse: configuration text never panics the loader and every error
// names the file.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"inventory: hosts.yaml\nowners: owners.yaml\n",
		"defaults: {fanout: 128, timeout: 45s}\n",
		"checks:\n  disk: {warn: 80}\n",
		"puppetdb: {url: https://p:8081, timeout: 5s}\n",
		"known_hosts: [a, b]\n",
		"- a\n",
		"defaults:\n  timeout: soon\n",
		"&a [*a]\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse(dir+"/c.yaml", data)
		if err != nil && !strings.HasPrefix(err.Error(), dir+"/c.yaml") && !strings.HasPrefix(err.Error(), "config") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}
