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
//	with: {body, headers, path, method}   # all optional; method POST
//
// A string body is sent as-is; anything else as JSON. with.headers go over
// the integration's headers; with.path is appended to its URL.
type send struct {
	base   *url.URL
	header http.Header
	signer *signer
	now    func() time.Time // nil: time.Now
}

var _ integrations.Operation = (*send)(nil)

var sendFields = []string{"body", "headers", "method", "path"}

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
	u, err := s.target(c.Input["path"])
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

// target appends with.path to the base URL, with exactly one slash between,
// keeping both query strings.
func (s *send) target(v any) (string, error) {
	u := *s.base
	if v == nil {
		return u.String(), nil
	}
	p, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("with.path: must be a string, got %T", v)
	}
	if p == "" {
		return u.String(), nil
	}
	ref, err := url.Parse(p)
	if err != nil {
		return "", fmt.Errorf("with.path: %q is not a valid URL path", p)
	}
	if ref.Scheme != "" || ref.Host != "" || ref.User != nil || strings.HasPrefix(p, "//") {
		return "", fmt.Errorf("with.path: must be a path below the integration's url, not a URL")
	}
	if ref.Path != "" {
		escaped := strings.TrimRight(u.EscapedPath(), "/") + "/" + strings.TrimLeft(ref.EscapedPath(), "/")
		u.Path, _ = url.PathUnescape(escaped)
		u.RawPath = escaped
	}
	if ref.RawQuery != "" {
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += ref.RawQuery
	}
	return u.String(), nil
}

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
	var v any
	if err := json.Unmarshal(r.Body, &v); err == nil {
		return v, nil
	}
	return string(r.Body), nil
}
