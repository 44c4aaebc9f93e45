package inventory

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fleetcheck/fleetcheck/internal/yamlfile"
)

// Format is an inventory file format LoadFile can read.
type Format string

// The inventory formats LoadFile recognises.
const (
	FormatNative      Format = "native"       // fleetcheck YAML with top-level hosts:
	FormatAnsibleYAML Format = "ansible-yaml" // Ansible YAML (all:, children:, hosts:, vars:)
	FormatAnsibleINI  Format = "ansible-ini"  // Ansible INI ([group], host key=value)
)

// LoadFile reads an inventory file and parses it with the source its
// extension and content call for (see DetectFormat).
func LoadFile(path string) (*Inventory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	switch DetectFormat(path, data) {
	case FormatAnsibleINI:
		return LoadAnsibleINI(path, data)
	case FormatAnsibleYAML:
		return LoadAnsibleYAML(path, data)
	default:
		return LoadNative(path, data)
	}
}

// DetectFormat decides how to read an inventory file. "*.ini" is Ansible
// INI. Otherwise a YAML mapping whose `hosts:` is a list, or that has
// `defaults:` or `aliases:`, is native; any other YAML mapping is Ansible
// YAML. A file without a YAML extension whose first line that is not blank
// or a comment starts with '[', or that is not a YAML mapping, or whose
// top-level keys hold blanks or '=' (INI host lines), is Ansible INI.
// Anything else (including an empty file) is native, so its errors speak
// of the native format.
func DetectFormat(path string, data []byte) Format {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".ini" {
		return FormatAnsibleINI
	}
	yamlExt := ext == ".yaml" || ext == ".yml" || ext == ".json"
	if !yamlExt && firstLineIsSection(data) {
		return FormatAnsibleINI
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		if !yamlExt && err != nil {
			return FormatAnsibleINI
		}
		return FormatNative
	}
	root := yamlfile.Resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		if !yamlExt && root.Kind == yaml.ScalarNode && root.Tag != "!!null" {
			return FormatAnsibleINI
		}
		return FormatNative
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, yamlfile.Resolve(root.Content[i+1])
		if !yamlExt && strings.ContainsAny(k, " \t=") {
			return FormatAnsibleINI // "host key=value: x" is an INI host line
		}
		if k == "hosts" && v.Kind == yaml.SequenceNode || k == "defaults" || k == "aliases" {
			return FormatNative
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "hosts" && yamlfile.Resolve(root.Content[i+1]).Kind != yaml.MappingNode {
			return FormatNative
		}
	}
	return FormatAnsibleYAML
}

// firstLineIsSection reports whether the first significant line of data
// is an INI section header.
func firstLineIsSection(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' || line[0] == ';' {
			continue
		}
		return line[0] == '['
	}
	return false
}
