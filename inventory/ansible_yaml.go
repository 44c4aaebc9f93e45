package inventory

import "errors"

// LoadAnsibleYAML parses an Ansible YAML inventory.
func LoadAnsibleYAML(path string, data []byte) (*Inventory, error) {
	return nil, errors.New("inventory: Ansible YAML not implemented yet")
}
