package integrations

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ConfigError is one problem in an integration's configuration, at the
// position of the offending node.
type ConfigError struct {
	Line, Column int
	Field        string // dotted path below the integration ("sign.secret"); "" for the integration itself
	Message      string // "is required", "must be …", or a sentence of its own
}

func (e *ConfigError) Error() string { return e.In("") }

// In renders the error under prefix (e.g. "integrations.partner"):
// "integrations.partner.url is required",
// "integrations.partner: unknown field \"ulr\" (known: …)".
func (e *ConfigError) In(prefix string) string {
	path := prefix
	if e.Field != "" {
		if path != "" {
			path += "."
		}
		path += e.Field
	}
	switch {
	case path == "":
		return e.Message
	case strings.HasPrefix(e.Message, "is ") || strings.HasPrefix(e.Message, "must "):
		return path + " " + e.Message
	}
	return path + ": " + e.Message
}

// Errorf returns a *ConfigError at node (the integration's own node when
// field is "").
func Errorf(node *yaml.Node, field, format string, args ...any) *ConfigError {
	e := &ConfigError{Field: field, Message: fmt.Sprintf(format, args...)}
	if node != nil {
		e.Line, e.Column = node.Line, node.Column
	}
	return e
}

// Common is the configuration every kind shares. The catalog reads it with
// DecodeCommon; kinds never see it.
type Common struct {
	Kind        string        `yaml:"kind"`
	Timeout     time.Duration `yaml:"timeout"`
	Retry       RetryPolicy   `yaml:"retry"`
	HealthCheck *HealthCheck  `yaml:"health_check"`
	RateLimit   string        `yaml:"rate_limit"`
	Concurrency int           `yaml:"concurrency"`
	RecordLimit int           `yaml:"record_body_limit"` // bytes
}

// commonFields are the keys of Common, skipped by Decode.
var commonFields = []string{"kind", "retry", "timeout", "health_check", "rate_limit", "concurrency", "record_body_limit"}

// Decode decodes a kind's configuration mapping into v (a pointer to the
// kind's config struct, its spec), strictly: unknown fields and wrong types
// are errors at their positions. The shared fields (kind, timeout, retry)
// are skipped. Every problem is returned, as joined *ConfigError values.
func Decode(node *yaml.Node, v any) error {
	var d decoder
	d.mapping(node, reflect.ValueOf(v).Elem(), "", commonFields)
	return errors.Join(d.errs...)
}

// DecodeCommon reads and checks the shared fields of an integration's
// configuration, ignoring the kind's own. Retry defaults are not filled in.
func DecodeCommon(node *yaml.Node) (Common, error) {
	var c Common
	var d decoder
	node = resolve(node)
	if node == nil || node.Kind != yaml.MappingNode {
		return c, Errorf(node, "", "must be a mapping with at least `kind`")
	}
	own := &yaml.Node{Kind: yaml.MappingNode, Line: node.Line, Column: node.Column}
	for i := 0; i+1 < len(node.Content); i += 2 {
		if slices.Contains(commonFields, node.Content[i].Value) {
			own.Content = append(own.Content, node.Content[i], node.Content[i+1])
		}
	}
	d.mapping(own, reflect.ValueOf(&c).Elem(), "", nil)
	if len(d.errs) > 0 {
		return c, errors.Join(d.errs...)
	}
	at := func(keys ...string) *yaml.Node { return Child(node, keys...) }
	if c.Timeout < 0 {
		d.fail(at("timeout"), "timeout", "must be positive")
	}
	r := c.Retry
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"initial", r.Initial}, {"max_interval", r.MaxInterval}, {"expire", r.Expire}} {
		if f.d < 0 {
			d.fail(at("retry", f.name), "retry."+f.name, "must be positive")
		}
	}
	if r.Backoff != 0 && r.Backoff < 1 {
		d.fail(at("retry", "backoff"), "retry.backoff", "must be at least 1")
	}
	if r.MaxAttempts < 0 {
		d.fail(at("retry", "max_attempts"), "retry.max_attempts", "must be 0 (unlimited) or more")
	}
	if full := r.WithDefaults(); len(d.errs) == 0 && full.MaxInterval < full.Initial {
		d.fail(at("retry", "max_interval"), "retry.max_interval", "must be at least retry.initial (%s)", full.Initial)
	}
	return c, errors.Join(d.errs...)
}

type decoder struct{ errs []error }

func (d *decoder) fail(n *yaml.Node, field, format string, args ...any) {
	d.errs = append(d.errs, Errorf(n, field, format, args...))
}

var durationType = reflect.TypeFor[time.Duration]()

// mapping decodes a mapping node into the struct rv, recursing into nested
// structs so that every error keeps its own position.
func (d *decoder) mapping(node *yaml.Node, rv reflect.Value, path string, skip []string) {
	node = resolve(node)
	if node == nil || isNull(node) {
		return
	}
	if node.Kind != yaml.MappingNode {
		d.fail(node, path, "must be a mapping")
		return
	}
	fields := structFields(rv.Type())
	known := append(slices.Collect(maps.Keys(fields)), skip...)
	slices.Sort(known)
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := resolve(node.Content[i]), node.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "field names must be strings")
			continue
		}
		if seen[k.Value] {
			d.fail(k, path, "duplicate field %q", k.Value)
			continue
		}
		seen[k.Value] = true
		if slices.Contains(skip, k.Value) {
			continue
		}
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(k, path, "unknown field %q (known: %s)", k.Value, strings.Join(known, ", "))
			continue
		}
		d.value(v, rv.FieldByIndex(idx), join(path, k.Value))
	}
}

func (d *decoder) value(node *yaml.Node, fv reflect.Value, path string) {
	node = resolve(node)
	t := fv.Type()
	switch {
	case t.Kind() == reflect.Struct && t != reflect.TypeFor[time.Time]():
		d.mapping(node, fv, path, nil)
		return
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		if isNull(node) {
			fv.SetZero()
			return
		}
		p := reflect.New(t.Elem())
		d.mapping(node, p.Elem(), path, nil)
		fv.Set(p)
		return
	}
	if err := node.Decode(fv.Addr().Interface()); err != nil {
		d.fail(node, path, "%s", expect(t))
	}
}

// expect says what a value of type t looks like in YAML.
func expect(t reflect.Type) string {
	switch {
	case t == durationType:
		return "must be a duration like 30s or 5m"
	case t.Kind() == reflect.String:
		return "must be a string"
	case t.Kind() == reflect.Bool:
		return "must be true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "must be a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "must be a number"
	case t.Kind() == reflect.Map && t.Elem().Kind() == reflect.String:
		return "must be a mapping of names to strings"
	case t.Kind() == reflect.Map:
		return "must be a mapping"
	case t.Kind() == reflect.Slice:
		return "must be a list"
	}
	return "has the wrong type (" + t.String() + ")"
}

// structFields maps YAML names to field index paths, flattening inline structs.
func structFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for n, idx := range structFields(f.Type) {
				out[n] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = []int{i}
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// Child finds the value at keys below a mapping node, or the deepest node on
// the way, so that an error always has a position.
func Child(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m := resolve(n)
		if m == nil || m.Kind != yaml.MappingNode {
			return n
		}
		found := false
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == k {
				n, found = m.Content[i+1], true
				break
			}
		}
		if !found {
			return m
		}
	}
	return n
}
