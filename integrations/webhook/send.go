package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hookflow/hookflow/integrations"
)

// send delivers `with.body` to the integration's URL:
//
//	with: {body, headers, path, query, method}   # all optional; method POST
//
// A string body is sent as-is; anything else as JSON. with.headers go over
// the integration's headers; with.path is appended to its URL.
type send struct {
	base   *url.URL
	header http.Header
	signer *signer
	now    func() time.Time // nil: time.Now
}

var (
	_ integrations.Operation  = (*send)(nil)
	_ integrations.PathFields = (*send)(nil)
	_ integrations.Fielder    = (*send)(nil)
)

var sendFields = []string{"body", "headers", "method", "path", "query"}

var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

func (s *send) Required() []string { return nil }

func (s *send) Request(c integrations.Call) (*integrations.Request, error) {
	for _, k := range slices.Sorted(maps.Keys(c.Input)) {
		if !slices.Contains(sendFields, k) {
			return nil, fmt.Errorf("with.%s: unknown field (send takes: %s)", k, strings.Join(sendFields, ", "))
		}
	}
	method := http.MethodPost
	if v, ok := c.Input["method"]; ok && v != nil {
		m, isStr := v.(string)
		m = strings.ToUpper(strings.TrimSpace(m))
		if !isStr || !slices.Contains(methods, m) {
			return nil, fmt.Errorf("with.method: must be one of %s, got %v", strings.Join(methods, ", "), v)
		}
		method = m
	}
	u, err := s.target(c.Input["path"], c.Input["query"])
	if err != nil {
		return nil, err
	}
	header := s.header.Clone()
	body, isJSON, err := encodeBody(c.Input["body"])
	if err != nil {
		return nil, err
	}
	if isJSON && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	if err := mergeHeaders(header, c.Input["headers"]); err != nil {
		return nil, err
	}
	if s.signer != nil {
		now := time.Now
		if s.now != nil {
			now = s.now
		}
		s.signer.sign(header, c.IdempotencyKey, now(), body)
	}
	return &integrations.Request{Method: method, URL: u, Header: header, Body: body}, nil
}

// target appends with.path to the URL, and with.query after the URL's own
// query. The rules loader renders each ${{ }} in with.path as one encoded
// segment (PathFields); JoinPath keeps the result under the URL's path.
func (s *send) target(path, query any) (string, error) {
	var p string
	switch v := path.(type) {
	case nil:
	case string:
		p = v
	default:
		return "", fmt.Errorf("with.path: must be a string, got %T", v)
	}
	q, err := queryValues(query)
	if err != nil {
		return "", err
	}
	u, err := integrations.JoinPath(s.base, p, q)
	if err != nil {
		return "", fmt.Errorf("with.path: %w", err)
	}
	return u, nil
}

// queryValues reads with.query: names to scalars or lists of scalars.
func queryValues(v any) (url.Values, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("with.query: must be a mapping of names to values, got %T", v)
	}
	out := url.Values{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		list, isList := m[k].([]any)
		if !isList {
			list = []any{m[k]}
		}
		for _, e := range list {
			s, ok := integrations.Scalar(e)
			if !ok {
				return nil, fmt.Errorf("with.query.%s: must be a string, number, boolean or a list of them", k)
			}
			out.Add(k, s)
		}
	}
	return out, nil
}

// Fields: the `with` fields send takes.
func (*send) Fields() []string { return sendFields }

// PathFields: with.path is a URL path below the integration's url.
func (s *send) PathFields() []string { return []string{"path"} }

// encodeBody sends a string as-is and anything else as JSON.
func encodeBody(v any) (body []byte, isJSON bool, err error) {
	switch v := v.(type) {
	case nil:
		return nil, false, nil
	case string:
		return []byte(v), false, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, false, fmt.Errorf("with.body: cannot be encoded as JSON: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), true, nil
}

// mergeHeaders sets with.headers over h; a null value removes a header.
func mergeHeaders(h http.Header, v any) error {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("with.headers: must be a mapping of header names to strings, got %T", v)
	}
	for _, name := range slices.Sorted(maps.Keys(m)) {
		var val string
		switch x := m[name].(type) {
		case nil:
			h.Del(name)
			continue
		case string:
			val = x
		case bool:
			val = strconv.FormatBool(x)
		case int, int64, float64, json.Number:
			val = fmt.Sprint(x)
		default:
			return fmt.Errorf("with.headers.%s: must be a string, got %T", name, x)
		}
		if err := integrations.CheckHeader(name, val); err != nil {
			return fmt.Errorf("with.headers.%s: %v", name, err)
		}
		h.Set(name, val)
	}
	return nil
}

// Output is the response body decoded as JSON, else the body as a string,
// nil if empty. A body cut at integrations.MaxResponseBody is not parsed.
func (s *send) Output(r *integrations.Response) (any, error) {
	if r.Truncated || len(bytes.TrimSpace(r.Body)) == 0 {
		return nil, nil
	}
	if v, err := integrations.DecodeAny(r.Body); err == nil {
		return v, nil
	}
	return string(r.Body), nil
}
