package integrations

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Set is a project's configured integrations, ready to call.
type Set struct {
	byName map[string]Integration
	client *http.Client
	now    func() time.Time
}

// NewSet returns the set over the configured integrations; guard decides
// which addresses may be dialed.
func NewSet(byName map[string]Integration, guard *Guard) *Set {
	return &Set{byName: byName, client: newHTTPClient(guard), now: time.Now}
}

// Names lists the integrations, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Check reports whether integration.operation exists and which `with`
// fields it requires.
func (s *Set) Check(integration, operation string) ([]string, error) {
	in, ok := s.byName[integration]
	if !ok {
		return nil, fmt.Errorf("unknown integration %q (configured: %s)", integration, strings.Join(s.Names(), ", "))
	}
	op, ok := in.Operations()[operation]
	if !ok {
		ops := make([]string, 0, len(in.Operations()))
		for name := range in.Operations() {
			ops = append(ops, name)
		}
		sort.Strings(ops)
		return nil, fmt.Errorf("integration %q (kind %s) has no operation %q (has: %s)", integration, in.Kind(), operation, strings.Join(ops, ", "))
	}
	return op.Required(), nil
}

// Retry is the integration's retry policy with defaults filled in.
func (s *Set) Retry(integration string) RetryPolicy {
	if in, ok := s.byName[integration]; ok {
		return in.Retry().WithDefaults()
	}
	return RetryPolicy{}.WithDefaults()
}

// Timeout bounds one attempt.
func (s *Set) Timeout(integration string) time.Duration {
	if in, ok := s.byName[integration]; ok && in.Timeout() > 0 {
		return in.Timeout()
	}
	return DefaultTimeout
}

// Call performs one attempt of c. It returns what was sent and what came
// back even on failure; the error is an *Error when the attempt failed on the
// wire or the receiver said no, or a plain error for input the operation
// cannot use (not worth retrying).
func (s *Set) Call(ctx context.Context, c Call) (Result, error) {
	in, ok := s.byName[c.Integration]
	if !ok {
		return Result{}, fmt.Errorf("unknown integration %q", c.Integration)
	}
	op, ok := in.Operations()[c.Operation]
	if !ok {
		return Result{}, fmt.Errorf("integration %q has no operation %q", c.Integration, c.Operation)
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout(c.Integration))
	defer cancel()
	req, body, err := op.Request(ctx, c.Input)
	if err != nil {
		return Result{}, fmt.Errorf("%s.%s: %w", c.Integration, c.Operation, err)
	}
	req.Header.Set("Idempotency-Key", c.IdempotencyKey)
	req.Header.Set("User-Agent", "hookflow")
	if err := in.Authorize(req, body, c.IdempotencyKey, s.now()); err != nil {
		return Result{}, fmt.Errorf("%s: %w", c.Integration, err)
	}
	res := Result{Request: recordRequest(req, body, in.Secrets())}

	resp, err := s.client.Do(req)
	if err != nil {
		return res, NetworkError(unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return res, NetworkError(err)
	}
	res.Response = recordResponse(resp, data)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return res, StatusError(resp.StatusCode, resp.Header, data, s.now())
	}
	out, err := op.Output(resp.StatusCode, resp.Header, data)
	if err != nil {
		return res, err
	}
	res.Output = out
	return res, nil
}

// unwrapURLError drops net/http's `Post "url": ` prefix: the URL is recorded separately.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
