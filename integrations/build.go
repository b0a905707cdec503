package integrations

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Build returns the request Call would send for c, recorded as Call records
// it (secrets redacted), without sending anything: `hookflow test` compares
// it with a rule test's expectations offline.
func (s *Set) Build(c Call) (RecordedRequest, error) {
	e, op, err := s.lookup(c.Integration, c.Operation)
	if err != nil {
		return RecordedRequest{}, err
	}
	for _, f := range op.Required() {
		if v, ok := c.Input[f]; !ok || v == nil {
			return RecordedRequest{}, fmt.Errorf("with.%s is required by %s.%s", f, c.Integration, c.Operation)
		}
	}
	if pv, ok := op.(Previewer); ok {
		rec, err := pv.Preview(c)
		if err != nil {
			return RecordedRequest{}, e.redactErr(err)
		}
		return e.redact.recordRequest(rec), nil
	}
	req, err := op.Request(c)
	if err != nil {
		return RecordedRequest{}, e.redactErr(err)
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return RecordedRequest{}, fmt.Errorf("%s.%s: request URL must be an absolute http or https URL", c.Integration, c.Operation)
	}
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("User-Agent", UserAgent)
	if key := idempotencyKey(op, c.IdempotencyKey); key != "" {
		header.Set("Idempotency-Key", key)
	}
	shown := Request{Method: cmp.Or(req.Method, http.MethodPost), URL: req.URL, Header: header, Body: req.Body}
	if err := e.Auth.apply(context.Background(), &shown, true); err != nil {
		return RecordedRequest{}, e.redactErr(err)
	}
	rec := RecordedRequest{
		Method:  shown.Method,
		URL:     e.redact.recordURL(shown.URL),
		Headers: e.redact.recordHeaders(shown.Header),
	}
	rec.Body, _ = e.redact.recordBody(req.Body)
	return rec, nil
}
