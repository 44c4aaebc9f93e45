package query

import "github.com/fleetcheck/fleetcheck/inventory"

// hasLabel reports whether h has label key=value.
func hasLabel(h *inventory.Host, key, value string) bool {
	v, ok := h.Labels[key]
	return ok && v == value
}

// labelMatches reports whether a value of label key of h matches l's
// regular expression.
func labelMatches(h *inventory.Host, l *Label) bool {
	v, ok := h.Labels[l.Key]
	return ok && l.re.MatchString(v)
}
