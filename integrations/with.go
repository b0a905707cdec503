package integrations

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// With reads an operation's rendered `with` fields. Every error names the
// field and says what was expected, in the words of the rule file:
// "with.email must be a string, got a number". Values never appear in
// errors: they may be personal data.
type With map[string]any

// Known rejects fields the operation does not take, so a typo in a rule is
// an error rather than a silently dropped value.
func (w With) Known(fields ...string) error {
	for _, k := range slices.Sorted(maps.Keys(w)) {
		if !slices.Contains(fields, k) {
			return fmt.Errorf("with.%s: unknown field (takes: %s)", k, strings.Join(slices.Sorted(slices.Values(fields)), ", "))
		}
	}
	return nil
}

// Has reports whether name is set to something other than null.
func (w With) Has(name string) bool { return w[name] != nil }

// String is a required, non-empty string.
func (w With) String(name string) (string, error) {
	s, err := w.OptString(name)
	if err == nil && s == "" {
		err = fmt.Errorf("with.%s is required", name)
		if w.Has(name) {
			err = fmt.Errorf("with.%s must not be empty", name)
		}
	}
	return s, err
}

// OptString is an optional string: "" when unset.
func (w With) OptString(name string) (string, error) {
	switch v := w[name].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("with.%s must be a string, got %s", name, Describe(v))
	}
}

// ID is a required record id: a non-empty string, or a whole number (ids
// in JSON payloads are often numbers), returned in decimal.
func (w With) ID(name string) (string, error) {
	id, err := w.OptID(name)
	if err == nil && id == "" {
		err = fmt.Errorf("with.%s is required", name)
		if w.Has(name) {
			err = fmt.Errorf("with.%s must not be empty", name)
		}
	}
	return id, err
}

// OptID is an optional record id: "" when unset.
func (w With) OptID(name string) (string, error) {
	switch v := w[name].(type) {
	case nil:
		return "", nil
	case string:
		id := strings.TrimSpace(v)
		if id == "." || id == ".." {
			// A dot segment in a URL path could be resolved by a proxy.
			return "", fmt.Errorf("with.%s must be an id, not %q", name, id)
		}
		return id, nil
	default:
		if n, ok := wholeNumber(v); ok {
			return strconv.FormatInt(n, 10), nil
		}
		return "", fmt.Errorf("with.%s must be an id (a string or a whole number), got %s", name, Describe(v))
	}
}

// Int is a required whole number; a string holding one is accepted, since
// some vendors' payloads carry quantities as strings.
func (w With) Int(name string) (int64, error) {
	v := w[name]
	if v == nil {
		return 0, fmt.Errorf("with.%s is required", name)
	}
	if n, ok := wholeNumber(v); ok {
		return n, nil
	}
	if s, ok := v.(string); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("with.%s must be a whole number, got %s", name, Describe(v))
}

// Bool is an optional boolean: set is false when the field is unset.
func (w With) Bool(name string) (v, set bool, err error) {
	switch b := w[name].(type) {
	case nil:
		return false, false, nil
	case bool:
		return b, true, nil
	default:
		return false, false, fmt.Errorf("with.%s must be true or false, got %s", name, Describe(b))
	}
}

// OneOf is an optional string that must be one of values: "" when unset.
func (w With) OneOf(name string, values ...string) (string, error) {
	s, err := w.OptString(name)
	if err != nil || s == "" || slices.Contains(values, s) {
		return s, err
	}
	return "", fmt.Errorf("with.%s must be one of %s", name, strings.Join(values, ", "))
}

// Map is an optional mapping: nil when unset.
func (w With) Map(name string) (map[string]any, error) {
	switch v := w[name].(type) {
	case nil:
		return nil, nil
	case map[string]any:
		return v, nil
	default:
		return nil, fmt.Errorf("with.%s must be a mapping, got %s", name, Describe(v))
	}
}

// List is an optional list: nil when unset.
func (w With) List(name string) ([]any, error) {
	switch v := w[name].(type) {
	case nil:
		return nil, nil
	case []any:
		return v, nil
	default:
		return nil, fmt.Errorf("with.%s must be a list, got %s", name, Describe(v))
	}
}

// Strings is an optional list of strings, or one comma-separated string
// (as tags are often written): nil when unset. Blank entries are dropped.
func (w With) Strings(name string) ([]string, error) {
	var out []string
	switch v := w[name].(type) {
	case nil:
		return nil, nil
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("with.%s[%d] must be a string, got %s", name, i, Describe(e))
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	default:
		return nil, fmt.Errorf("with.%s must be a list of strings or a comma-separated string, got %s", name, Describe(v))
	}
	return out, nil
}

// Scalars is an optional mapping of names to scalar values (CRM record
// properties), each rendered as the vendor's APIs expect: strings as they
// are, numbers in decimal without exponent, booleans as true/false, null as
// "" (which clears the property). Nested values are an error.
func (w With) Scalars(name string) (map[string]string, error) {
	m, err := w.Map(name)
	if err != nil || m == nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := Scalar(v)
		if !ok {
			return nil, fmt.Errorf("with.%s.%s must be a string, number or boolean, got %s", name, k, Describe(v))
		}
		out[k] = s
	}
	return out, nil
}

// Scalar renders a string, number, boolean or null as text.
func Scalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case json.Number:
		return v.String(), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), true
	}
	if n, ok := wholeNumber(v); ok {
		return strconv.FormatInt(n, 10), true
	}
	return "", false
}

// wholeNumber accepts Go's integer types and integral floats (JSON numbers).
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), n <= math.MaxInt64
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), n <= math.MaxInt64
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	case float32:
		if f := float64(n); f == math.Trunc(f) && math.Abs(f) < 1<<24 {
			return int64(f), true
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
	}
	return 0, false
}

// Describe names the YAML/JSON type of a rendered value, for errors.
func Describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	}
	if _, ok := Scalar(v); ok {
		return "a number"
	}
	return fmt.Sprintf("a %T", v)
}

// DecodeJSON decodes a 2xx response body into v. A body that is cut off or
// not the JSON the vendor documents is a permanent error: the vendor did
// act, so repeating the call could repeat the side effect.
func DecodeJSON(r *Response, v any) error {
	if r.Truncated {
		return fmt.Errorf("HTTP %d: response body is larger than %d bytes and was not read in full", r.Status, MaxResponseBody)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		return fmt.Errorf("HTTP %d: response body is not the expected JSON: %v", r.Status, err)
	}
	return nil
}
