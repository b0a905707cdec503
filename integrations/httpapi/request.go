package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// request is the one operation:
//
//	call: erp.request
//	with:
//	  method: PUT                           # default: POST with a body or form, else GET
//	  path: /customers/${{ payload.customer.id }}
//	  query: { expand: addresses, tag: [a, b] }
//	  headers: { X-Request-Source: hookflow }
//	  body: { email: "${{ payload.email }}" }    # JSON; a string is sent as text
//	  form: { email: "${{ payload.email }}" }    # or form-encoded
//
// Output: {status, headers, body}: the body decoded as JSON when it is
// JSON, else text; headers lower-cased, without cookies.
type request struct {
	base         *url.URL
	header       http.Header
	query        url.Values // auth type query
	secretHeader string     // auth type header: never overridden by with.headers
	replays      bool       // replays_errors
}

var (
	_ integrations.Operation  = (*request)(nil)
	_ integrations.PathFields = (*request)(nil)
	_ integrations.Fielder    = (*request)(nil)
)

var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

func (*request) Required() []string { return nil }

func (r *request) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known(requestFields...); err != nil {
		return nil, err
	}
	if w.Has("body") && w.Has("form") {
		return nil, fmt.Errorf("with.body and with.form: give one")
	}
	method, err := w.OptString("method")
	if err != nil {
		return nil, err
	}
	method = strings.ToUpper(strings.TrimSpace(method))
	switch {
	case method == "" && (w.Has("body") || w.Has("form")):
		method = http.MethodPost
	case method == "":
		method = http.MethodGet
	case !slices.Contains(methods, method):
		return nil, fmt.Errorf("with.method must be one of %s", strings.Join(methods, ", "))
	}
	u, err := r.target(w)
	if err != nil {
		return nil, err
	}
	h := r.header.Clone()
	var body []byte
	switch v := c.Input["body"].(type) {
	case nil:
	case string:
		body = []byte(v)
		h.Set("Content-Type", "text/plain; charset=utf-8")
	default:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return nil, fmt.Errorf("with.body cannot be encoded as JSON: %v", err)
		}
		body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		h.Set("Content-Type", "application/json")
	}
	if w.Has("form") {
		form, err := values(w, "form")
		if err != nil {
			return nil, err
		}
		body = []byte(form.Encode())
		h.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	extra, err := w.Map("headers")
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		canon := http.CanonicalHeaderKey(name)
		if (r.secretHeader != "" && canon == r.secretHeader) || (canon == "Authorization" && r.header.Get("Authorization") != "") {
			return nil, fmt.Errorf("with.headers.%s: the integration's auth sets this header", name)
		}
		val, ok := integrations.Scalar(extra[name])
		if !ok {
			return nil, fmt.Errorf("with.headers.%s must be a string, got %s", name, integrations.Describe(extra[name]))
		}
		if err := integrations.CheckHeader(name, val); err != nil {
			return nil, fmt.Errorf("with.headers.%s: %v", name, err)
		}
		h.Set(name, val)
	}
	return &integrations.Request{Method: method, URL: u, Header: h, Body: body}, nil
}

// target is base_url + with.path, with with.query and the auth query. The
// rules loader renders each ${{ }} in with.path as one encoded segment
// (PathFields); JoinPath keeps the result under base_url.
func (r *request) target(w integrations.With) (string, error) {
	p, err := w.OptString("path")
	if err != nil {
		return "", err
	}
	q, err := values(w, "query")
	if err != nil {
		return "", err
	}
	if q == nil {
		q = url.Values{}
	}
	for k, vs := range r.query {
		q[k] = vs
	}
	u, err := integrations.JoinPath(r.base, p, q)
	if err != nil {
		return "", fmt.Errorf("with.path %w", err)
	}
	return u, nil
}

// requestFields are the `with` fields request takes.
var requestFields = []string{"method", "path", "query", "headers", "body", "form"}

// Fields: the `with` fields request takes.
func (*request) Fields() []string { return requestFields }

// PathFields: with.path is a URL path below base_url.
func (*request) PathFields() []string { return []string{"path"} }

// values reads a mapping of names to scalars or lists of scalars.
func values(w integrations.With, field string) (url.Values, error) {
	m, err := w.Map(field)
	if err != nil || m == nil {
		return nil, err
	}
	out := url.Values{}
	for k, v := range m {
		list, isList := v.([]any)
		if !isList {
			list = []any{v}
		}
		for _, e := range list {
			s, ok := integrations.Scalar(e)
			if !ok {
				return nil, fmt.Errorf("with.%s.%s must be a string, number, boolean or a list of them", field, k)
			}
			out.Add(k, s)
		}
	}
	return out, nil
}

func (*request) Output(r *integrations.Response) (any, error) {
	headers := map[string]any{}
	for k, vs := range r.Header {
		lk := strings.ToLower(k)
		if lk == "set-cookie" || integrations.Sensitive(lk) {
			continue
		}
		headers[lk] = strings.Join(vs, ", ")
	}
	out := map[string]any{"status": r.Status, "headers": headers, "body": nil}
	if len(bytes.TrimSpace(r.Body)) > 0 && !r.Truncated {
		var v any
		if json.Unmarshal(r.Body, &v) == nil {
			out["body"] = v
		} else {
			out["body"] = string(r.Body)
		}
	}
	return out, nil
}

// Classify points 401 and 403 at the integration's auth.
func (q *request) Classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		e.Message += " (check the integration's auth)"
	}
	if q.replays {
		e = integrations.ReplayedServerError(r, e)
	}
	return e
}
