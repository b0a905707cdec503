package triggers

import (
	"fmt"
	"sort"
	"strings"

	"github.com/go-playground/validator/v10"
	"gopkg.in/yaml.v3"
)

// Schema validates a payload with validator/v10 tags by payload path:
// `id: required`, `data.customer.email: required,email`, `items[*].sku: required`.
type Schema struct {
	fields []schemaField
}

type schemaField struct {
	path []string // "items[*]" is split into "items", "*"
	raw  string
	tags string
}

// FieldError is one failing field of a payload.
type FieldError struct {
	Field   string `json:"field"`
	Tag     string `json:"tag"`
	Message string `json:"message"`
}

type schemaErr struct {
	node *yaml.Node
	msg  string
}

// validate is safe for concurrent use and caches its parsed tags.
var validate = validator.New()

func loadSchema(node *yaml.Node) (*Schema, []schemaErr) {
	if node.Kind != yaml.MappingNode {
		return nil, []schemaErr{{node, "must be a mapping of payload path to validator tags, e.g. `email: required,email`"}}
	}
	var errs []schemaErr
	s := &Schema{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		path, err := splitPath(k.Value)
		if err != nil {
			errs = append(errs, schemaErr{k, err.Error()})
			continue
		}
		if err := checkTags(v.Value); err != nil {
			errs = append(errs, schemaErr{v, fmt.Sprintf("%s: %v", k.Value, err)})
			continue
		}
		s.fields = append(s.fields, schemaField{path: path, raw: k.Value, tags: v.Value})
	}
	return s, errs
}

// checkTags makes validator parse the tags once at load, so a typo is a load error, not a panic per request.
func checkTags(tags string) (err error) {
	if strings.TrimSpace(tags) == "" {
		return fmt.Errorf("no validator tags")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid validator tags %q: %v", tags, r)
		}
	}()
	_ = validate.Var("", tags)
	return nil
}

func splitPath(p string) ([]string, error) {
	if p == "" {
		return nil, fmt.Errorf("empty payload path")
	}
	var out []string
	for _, seg := range strings.Split(p, ".") {
		name, list := strings.CutSuffix(seg, "[*]")
		if name == "" || strings.ContainsAny(name, "[]*") {
			return nil, fmt.Errorf("payload path %q: segment %q is not a field name (use a.b.c or items[*].sku)", p, seg)
		}
		out = append(out, name)
		if list {
			out = append(out, "*")
		}
	}
	return out, nil
}

// maxFieldErrors caps the fields a 422 lists.
const maxFieldErrors = 50

// Validate returns every failing field, sorted by path.
func (s *Schema) Validate(payload any) []FieldError {
	if s == nil {
		return nil
	}
	var out []FieldError
	for _, f := range s.fields {
		collect(payload, f.path, "", func(path string, v any) {
			if fe := check(path, v, f.tags); fe != nil {
				out = append(out, *fe)
			}
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

// collect walks path through v and calls fn for each value found (nil when missing).
func collect(v any, path []string, at string, fn func(string, any)) {
	if len(path) == 0 {
		fn(at, v)
		return
	}
	if path[0] == "*" {
		list, _ := v.([]any)
		for i, item := range list {
			collect(item, path[1:], fmt.Sprintf("%s[%d]", at, i), fn)
		}
		return
	}
	next := path[0]
	if at != "" {
		next = at + "." + path[0]
	}
	m, _ := v.(map[string]any)
	collect(m[path[0]], path[1:], next, fn)
}

func check(path string, v any, tags string) (fe *FieldError) {
	defer func() {
		if r := recover(); r != nil {
			fe = &FieldError{Field: path, Tag: tags, Message: fmt.Sprintf("%s: value of type %T cannot be checked with %q", path, v, tags)}
		}
	}()
	err := validate.Var(v, tags)
	if err == nil {
		return nil
	}
	verrs, ok := err.(validator.ValidationErrors)
	if !ok || len(verrs) == 0 {
		return &FieldError{Field: path, Tag: tags, Message: fmt.Sprintf("%s: %v", path, err)}
	}
	e := verrs[0]
	tag := e.Tag()
	if e.Param() != "" {
		tag += "=" + e.Param()
	}
	return &FieldError{Field: path, Tag: tag, Message: fieldMessage(path, tag, v)}
}

func fieldMessage(path, tag string, v any) string {
	if tag == "required" {
		return path + " is required"
	}
	return fmt.Sprintf("%s fails %s (got %s)", path, tag, describe(v))
}

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nothing"
	case string:
		if r := []rune(v); len(r) > 40 {
			v = string(r[:40]) + "…"
		}
		return fmt.Sprintf("%q", v)
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return fmt.Sprint(v)
	}
}
