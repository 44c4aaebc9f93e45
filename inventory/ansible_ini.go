package inventory

import "errors"

// LoadAnsibleINI parses an Ansible INI inventory.
func LoadAnsibleINI(path string, data []byte) (*Inventory, error) {
	return nil, errors.New("inventory: Ansible INI not implemented yet")
}
