package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// writeJSON writes v as encoding/json would (map keys sorted; indent ""
// for compact), but piece by piece, so that a writer with a budget stops a
// huge value (a list of a thousand references to one large payload) before
// it is built. Containers are walked here; every other value is one leaf,
// encoded by encoding/json. escapeHTML is encoding/json's default; json()
// and rendered templates turn it off.
func writeJSON(w io.Writer, v any, indent string, escapeHTML bool) error {
	jw := &jsonWriter{w: w, indent: indent, html: escapeHTML}
	jw.value(reflect.ValueOf(v), 0)
	return jw.err
}

type jsonWriter struct {
	w      io.Writer
	indent string
	html   bool
	err    error
	// scalars encodes strings, numbers and bools, reused leaf after leaf.
	scalars *json.Encoder
	buf     bytes.Buffer
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

func (j *jsonWriter) write(s string) {
	if j.err == nil {
		_, j.err = io.WriteString(j.w, s)
	}
}

func (j *jsonWriter) newline(depth int) {
	if j.indent != "" {
		j.write("\n" + strings.Repeat(j.indent, depth))
	}
}

func (j *jsonWriter) value(v reflect.Value, depth int) {
	if j.err != nil {
		return
	}
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			j.write("null")
			return
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		j.write("null")
		return
	}
	if v.Type().Implements(marshalerType) {
		j.leaf(v, depth)
		return
	}
	switch v.Kind() {
	case reflect.Map:
		if v.IsNil() {
			j.write("null")
			return
		}
		if v.Type().Key().Kind() != reflect.String || v.Len() == 0 {
			j.leaf(v, depth)
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		j.write("{")
		for i, k := range keys {
			if i > 0 {
				j.write(",")
			}
			j.newline(depth + 1)
			j.leaf(reflect.ValueOf(k.String()), 0)
			j.write(":")
			if j.indent != "" {
				j.write(" ")
			}
			j.value(v.MapIndex(k), depth+1)
		}
		j.newline(depth)
		j.write("}")
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			j.write("null")
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 || v.Len() == 0 {
			j.leaf(v, depth) // []byte is base64; [] is []
			return
		}
		j.write("[")
		for i := range v.Len() {
			if i > 0 {
				j.write(",")
			}
			j.newline(depth + 1)
			j.value(v.Index(i), depth+1)
		}
		j.newline(depth)
		j.write("]")
	default:
		j.leaf(v, depth)
	}
}

// leaf encodes one value that holds no container of our walking (a string,
// number, time, struct) with encoding/json.
func (j *jsonWriter) leaf(v reflect.Value, depth int) {
	if j.err != nil {
		return
	}
	switch v.Kind() {
	case reflect.String, reflect.Bool, reflect.Float64, reflect.Float32,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if !v.Type().Implements(marshalerType) {
			if j.scalars == nil {
				j.scalars = json.NewEncoder(&j.buf)
				j.scalars.SetEscapeHTML(j.html)
			}
			j.buf.Reset()
			if err := j.scalars.Encode(v.Interface()); err != nil {
				j.err = err
				return
			}
			j.buf.Truncate(j.buf.Len() - 1) // the newline
			if j.err == nil {
				_, j.err = j.w.Write(j.buf.Bytes())
			}
			return
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(j.html)
	if j.indent != "" {
		enc.SetIndent(strings.Repeat(j.indent, depth), j.indent)
	}
	if err := enc.Encode(v.Interface()); err != nil {
		j.err = err
		return
	}
	j.write(strings.TrimSuffix(buf.String(), "\n"))
}

// writeV writes v as fmt's %v would (expr's string()), piece by piece for
// lists and maps with string keys, so a budgeted writer stops a huge value
// before it is built: fmt itself formats the whole value first.
func writeV(w io.Writer, v any) error {
	var err error
	put := func(s string) {
		if err == nil {
			_, err = io.WriteString(w, s)
		}
	}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		if err != nil {
			return
		}
		for v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
		}
		switch {
		case !v.IsValid() || v.Kind() == reflect.Interface:
			put("<nil>")
		case (v.Kind() == reflect.Slice || v.Kind() == reflect.Array) && v.Type().Elem().Kind() != reflect.Uint8:
			put("[")
			for i := range v.Len() {
				if i > 0 {
					put(" ")
				}
				walk(v.Index(i))
			}
			put("]")
		case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
			keys := v.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			put("map[")
			for i, k := range keys {
				if i > 0 {
					put(" ")
				}
				put(k.String() + ":")
				walk(v.MapIndex(k))
			}
			put("]")
		default:
			put(fmt.Sprintf("%v", v.Interface()))
		}
	}
	walk(reflect.ValueOf(v))
	return err
}
