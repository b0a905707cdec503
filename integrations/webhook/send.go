package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// send is the `send` operation: with {body, headers, path, method}, all optional.
type send struct{ w *Webhook }

var _ integrations.Operation = send{}

func (send) Required() []string { return nil }

func (s send) Request(ctx context.Context, in map[string]any) (*http.Request, []byte, error) {
	method := http.MethodPost
	if m, ok := in["method"]; ok {
		ms, isStr := m.(string)
		if !isStr || ms == "" {
			return nil, nil, fmt.Errorf("with.method must be an HTTP method, got %v", m)
		}
		method = strings.ToUpper(ms)
	}
	u := *s.w.base
	if p, ok := in["path"]; ok {
		ps, isStr := p.(string)
		if !isStr {
			return nil, nil, fmt.Errorf("with.path must be a string, got %T", p)
		}
		path, query, _ := strings.Cut(ps, "?")
		u.Path = strings.TrimRight(u.Path, "/") + "/" + strings.TrimLeft(path, "/")
		if query != "" {
			u.RawQuery = query
		}
	}
	var body []byte
	contentType := ""
	switch b := in["body"].(type) {
	case nil:
	case string:
		body, contentType = []byte(b), "text/plain; charset=utf-8"
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return nil, nil, fmt.Errorf("with.body: %w", err)
		}
		body, contentType = data, "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range s.w.cfg.Headers {
		req.Header.Set(k, v)
	}
	if h, ok := in["headers"]; ok {
		hm, isMap := h.(map[string]any)
		if !isMap {
			return nil, nil, fmt.Errorf("with.headers must be a mapping, got %T", h)
		}
		for k, v := range hm {
			req.Header.Set(k, fmt.Sprint(v))
		}
	}
	return req, body, nil
}

// Output is the JSON-decoded response body, the text if it is not JSON, or nil if empty.
func (send) Output(_ int, _ http.Header, body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body), nil
	}
	return v, nil
}
