package checks

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fleetcheck/fleetcheck/internal/duration"
)

// Params are the parameters of one configured check as decoded from YAML:
// strings, ints, floats, bools and lists of those.
type Params map[string]any

// ParamError is a bad parameter; the config loader turns Key into a
// file:line:column position.
type ParamError struct {
	Key string // the parameter's key in the check's mapping
	Err error
}

func (e *ParamError) Error() string { return fmt.Sprintf("parameter %q: %v", e.Key, e.Err) }
func (e *ParamError) Unwrap() error { return e.Err }

// paramErr builds a *ParamError.
func paramErr(key string, format string, args ...any) error {
	return &ParamError{Key: key, Err: fmt.Errorf(format, args...)}
}

// unknownParam is the cause CheckKnown gives: the key is none of known.
// The config loader turns it into an unknown-key error at the key.
type unknownParam struct{ known []string }

func (e *unknownParam) Error() string {
	return "unknown parameter (known: " + strings.Join(e.known, ", ") + ")"
}

// CheckKnown returns a *ParamError for the first key (sorted) not in allowed.
func (p Params) CheckKnown(allowed ...string) error {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			return &ParamError{Key: k, Err: &unknownParam{known: allowed}}
		}
	}
	return nil
}

// String returns a string parameter or def when absent.
func (p Params) String(key, def string) (string, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case int, int64, float64, bool:
		return fmt.Sprint(t), nil
	}
	return "", paramErr(key, "expected a string, found %s", describeValue(v))
}

// Float returns a number parameter (a trailing "%" is accepted) or def.
func (p Params) Float(key string, def float64) (float64, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case int:
		return float64(t), nil
	case int64:
		return float64(t), nil
	case float64:
		return t, nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(t), "%"), 64)
		if err != nil {
			return 0, paramErr(key, "expected a number, found %q", t)
		}
		return f, nil
	}
	return 0, paramErr(key, "expected a number, found %s", describeValue(v))
}

// Duration returns a duration parameter ("90s", "1h", "7d"; a bare number
// is seconds) or def.
func (p Params) Duration(key string, def time.Duration) (time.Duration, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case int:
		return time.Duration(t) * time.Second, nil
	case float64:
		return time.Duration(t * float64(time.Second)), nil
	case string:
		d, err := ParseDuration(t)
		if err != nil {
			return 0, &ParamError{Key: key, Err: err}
		}
		return d, nil
	}
	return 0, paramErr(key, "expected a duration such as 90s or 1h, found %s", describeValue(v))
}

// Strings returns a list-of-strings parameter (a single string is a list of
// one) or def.
func (p Params) Strings(key string, def []string) ([]string, error) {
	v, ok := p[key]
	if !ok || v == nil {
		return def, nil
	}
	switch t := v.(type) {
	case string:
		return []string{t}, nil
	case []string:
		return t, nil
	case []any:
		out := make([]string, 0, len(t))
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, paramErr(key, "item %d: expected a string, found %s", i+1, describeValue(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, paramErr(key, "expected a list of strings, found %s", describeValue(v))
}

// describeValue names a decoded parameter value for messages, in the
// words yamlfile.Describe uses for the node it came from (never a Go
// type name).
func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing (null)"
	case string:
		return strconv.Quote(t)
	case bool:
		return fmt.Sprintf("the boolean %t", t)
	case int, int64:
		return fmt.Sprintf("the integer %d", t)
	case float64:
		return "the number " + strconv.FormatFloat(t, 'g', -1, 64)
	case []any, []string:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "a value of another kind"
}

// ParseDuration parses Go durations plus days and weeks ("7d", "2w",
// "1d12h"); see duration.Parse.
func ParseDuration(s string) (time.Duration, error) { return duration.Parse(s) }
