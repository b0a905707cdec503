package integrations

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// API is a vendor kind's HTTP API written as data: where it is, what every
// request carries, and the vendor's own error rules. Its operations are Ops.
// Credentials are not here: they are the Integration's Auth, applied as a
// request is sent.
type API struct {
	// Base is the URL every Op's Path is below (a webhook URL for kinds that
	// post to one). Its query, if any, is kept.
	Base *url.URL
	// Header is sent with every request (API version headers, Accept).
	Header http.Header
	// Errors adds what the vendor says about a failed (non-2xx) response
	// beyond its status: a retry delay in the body, an error code that
	// means "try again", the setting to check. Nil: the status alone.
	Errors func(r *Response, e *Error) *Error
	// IdempotencyKey, when set, gives the Idempotency-Key the vendor takes
	// for the step's key (Stripe's are at most 255 characters); it must
	// return the same for the same key. Nil: the key as it is.
	IdempotencyKey func(key string) string
}

// Op is one operation of an API, written as data plus the few functions
// that map the vendor's shapes.
type Op struct {
	// Method is the HTTP method; default POST.
	Method string
	// Path is below the API's Base, "/"-separated. A segment "{name}" is
	// filled by In.Params[name], or else by the `with` field name read as
	// an id; either way it becomes exactly one escaped path segment, so
	// that event data never changes where a call goes ("/", "?", "#", ";"
	// and "%" are escaped; an empty value, or one holding a dot segment, is
	// refused: see CheckSegment).
	Path string
	// Required and Optional are the `with` fields the operation takes; any
	// other field is an error naming the ones it takes.
	Required, Optional []string
	// Build reads the `with` fields into the request: it returns the JSON
	// body (nil for none) and may set In's Params, Query, Header and Form,
	// or change In.Path to another template.
	Build func(in *In) (body any, err error)
	// Output maps a 2xx response to the step's output; nil: {}.
	Output func(r *Response) (any, error)
	// Errors are the operation's own rules, after the API's.
	Errors func(r *Response, e *Error) *Error
	// NotFound, when set, is the output of a 404 answer, for reads where
	// "there is no such record" is an answer ({found: false}), not a
	// failure.
	NotFound map[string]any
	// Find, when set, is a read sent first, with the same `with`: when its
	// Output is a map with "found": true, that is the step's output and
	// this operation is not sent. Find-or-create is then safe to retry: the
	// retry finds what a first attempt created before its answer was lost.
	Find *Op
	// Then, when set, is a second request sent after this one's 2xx
	// answer, with the same `with`, for a vendor that needs two calls for
	// one step (Mailchimp's member, then its tags). Its Build may return
	// Skip to send nothing; its bad input fails the step before anything
	// is sent. A retry repeats both, so both must be safe to repeat. Its
	// output, a map, is merged into this one's; the step records this
	// request, or Then's when Then fails.
	Then *Op
}

// Skip, returned by a Then's Build, sends nothing: there is nothing to do.
var Skip = errors.New("nothing to send")

// In is what an Op's Build reads and writes.
type In struct {
	With
	// Call is the call being built (its IdempotencyKey, for vendors that
	// take one in the body).
	Call Call
	// Path starts as Op.Path; Build may replace it with another template.
	Path string
	// Params fill the path's {name} segments.
	Params map[string]string
	// Query is added to the URL.
	Query url.Values
	// Header is added to the API's.
	Header http.Header
	// Form, when set, is the body, form-encoded, instead of JSON.
	Form url.Values
}

// Operations binds ops to the API, as an Integration's Operations.
func (a *API) Operations(ops map[string]*Op) map[string]Operation {
	out := make(map[string]Operation, len(ops))
	for name, op := range ops {
		out[name] = &bound{api: a, op: op}
	}
	return out
}

// bound is an Op of an API: it implements Operation and Classifier.
type bound struct {
	api *API
	op  *Op
	// lenient skips the check for unknown `with` fields: a Find reads the
	// `with` of the operation it serves.
	lenient bool
}

func (b *bound) finder() Operation {
	if b.op.Find == nil {
		return nil
	}
	return &bound{api: b.api, op: b.op.Find, lenient: true}
}

func (b *bound) next() Operation {
	if b.op.Then == nil {
		return nil
	}
	return &bound{api: b.api, op: b.op.Then, lenient: true}
}

func (b *bound) idempotencyKey(key string) string {
	if b.api.IdempotencyKey == nil || key == "" {
		return key
	}
	return b.api.IdempotencyKey(key)
}

// keyShaper is an Operation whose vendor takes another shape of the
// step's idempotency key.
type keyShaper interface {
	idempotencyKey(key string) string
}

// idempotencyKey is the Idempotency-Key op sends for key ("" for none).
func idempotencyKey(op Operation, key string) string {
	if k, ok := op.(keyShaper); ok {
		return k.idempotencyKey(key)
	}
	return key
}

var (
	_ Operation  = (*bound)(nil)
	_ Classifier = (*bound)(nil)
)

func (b *bound) Required() []string { return b.op.Required }

func (b *bound) Request(c Call) (*Request, error) {
	w := With(c.Input)
	if err := w.Known(slices.Concat(b.op.Required, b.op.Optional)...); err != nil && !b.lenient {
		return nil, err
	}
	in := &In{With: w, Call: c, Path: b.op.Path, Params: map[string]string{}, Query: url.Values{}, Header: http.Header{}}
	var body any
	if b.op.Build != nil {
		var err error
		if body, err = b.op.Build(in); err != nil {
			return nil, err
		}
	}
	target, err := b.api.url(in)
	if err != nil {
		return nil, err
	}
	h := b.api.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	for k, vs := range in.Header {
		h[k] = vs
	}
	req := &Request{Method: cmp.Or(b.op.Method, http.MethodPost), URL: target, Header: h}
	switch {
	case in.Form != nil:
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Body = []byte(in.Form.Encode())
	case body != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("encoding the request body as JSON: %v", err)
		}
		req.Body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if h.Get("Content-Type") == "" {
			h.Set("Content-Type", "application/json")
		}
	}
	if h.Get("Accept") == "" {
		h.Set("Accept", "application/json")
	}
	return req, nil
}

// url is Base + the expanded path + Base's query and In.Query.
func (a *API) url(in *In) (string, error) {
	var segs []string
	if in.Path != "" {
		for _, s := range strings.Split(in.Path, "/") {
			name, isParam := strings.CutPrefix(s, "{")
			if !isParam {
				segs = append(segs, s)
				continue
			}
			name = strings.TrimSuffix(name, "}")
			v, ok := in.Params[name]
			if !ok {
				var err error
				if v, err = in.ID(name); err != nil {
					return "", err
				}
			}
			if err := CheckSegment(v); err != nil {
				return "", fmt.Errorf("with.%s: %w", name, err)
			}
			segs = append(segs, v)
		}
	}
	trailing := strings.HasSuffix(in.Path, "/")
	if trailing {
		segs = segs[:len(segs)-1]
	}
	u, err := url.Parse(URL(a.Base, segs...))
	if err != nil {
		return "", err
	}
	if trailing { // as some vendors document it: …/sobjects/Account/
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	// Base's own query (a webhook URL's signature) is kept byte for byte.
	switch extra := in.Query.Encode(); {
	case u.RawQuery == "":
		u.RawQuery = extra
	case extra != "":
		u.RawQuery += "&" + extra
	}
	return u.String(), nil
}

func (b *bound) absent(r *Response) (any, bool) {
	if b.op.NotFound == nil || r.Status != http.StatusNotFound {
		return nil, false
	}
	return maps.Clone(b.op.NotFound), true
}

func (b *bound) Output(r *Response) (any, error) {
	if b.op.Output == nil {
		return map[string]any{}, nil
	}
	return b.op.Output(r)
}

func (b *bound) Classify(r *Response, e *Error) *Error {
	if b.api.Errors != nil {
		e = b.api.Errors(r, e)
	}
	if b.op.Errors != nil {
		e = b.op.Errors(r, e)
	}
	return e
}
