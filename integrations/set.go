package integrations

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Set is a project's configured integrations and the one guarded HTTP client
// they share. It is safe for concurrent use.
type Set struct {
	byName map[string]*entry
	client *http.Client
	dial   func(ctx context.Context, network, addr string) (net.Conn, error) // guarded, for Senders
	now    func() time.Time
}

type entry struct {
	*Integration
	redact redactor
}

// NewSet returns the Set of the given integrations. allow lists the networks
// exempt from the SSRF guard (outbound.allow_networks). Zero timeouts and
// retry fields get their defaults.
func NewSet(allow []netip.Prefix, list ...*Integration) *Set {
	d := newDialer(allow)
	s := &Set{byName: map[string]*entry{}, client: newClient(d), dial: d.DialContext, now: time.Now}
	for _, in := range list {
		c := *in
		if c.Timeout <= 0 {
			c.Timeout = DefaultTimeout
		}
		c.Retry = c.Retry.WithDefaults()
		e := &entry{Integration: &c, redact: newRedactor(c.Secrets, c.RecordLimit)}
		e.bind(s.client)
		s.byName[c.Name] = e
	}
	return s
}

// bind gives the integration's fetching tokens (OAuth) the Set's guarded
// client, so a token endpoint is dialled like any call, and its redactor,
// so a fetched token is never recorded.
func (e *entry) bind(client *http.Client) {
	tokens := slices.Clone(e.Credentials)
	if e.Auth != nil {
		for _, p := range e.Auth.places {
			tokens = append(tokens, p.token)
		}
	}
	for _, t := range tokens {
		if b, ok := t.(binder); ok {
			b.bind(client, e.redact.learn)
		}
	}
}

// Names lists the configured integrations, sorted.
func (s *Set) Names() []string {
	return slices.Sorted(maps.Keys(s.byName))
}

// Check reports whether integration.operation exists and which `with`
// fields it requires.
func (s *Set) Check(integration, operation string) (required []string, err error) {
	_, op, err := s.lookup(integration, operation)
	if err != nil {
		return nil, err
	}
	return slices.Clone(op.Required()), nil
}

// Retry is the integration's retry policy, defaults filled in.
func (s *Set) Retry(integration string) RetryPolicy {
	if e, ok := s.byName[integration]; ok {
		return e.Retry
	}
	return DefaultRetry
}

// Timeout is the integration's per-attempt timeout.
func (s *Set) Timeout(integration string) time.Duration {
	if e, ok := s.byName[integration]; ok {
		return e.Timeout
	}
	return DefaultTimeout
}

func (s *Set) lookup(integration, operation string) (*entry, Operation, error) {
	e, ok := s.byName[integration]
	if !ok {
		configured := "none configured"
		if len(s.byName) > 0 {
			configured = "configured: " + strings.Join(s.Names(), ", ")
		}
		return nil, nil, fmt.Errorf("unknown integration %q (%s)", integration, configured)
	}
	op, ok := e.Operations[operation]
	if !ok {
		return nil, nil, fmt.Errorf("integration %q (kind %s) has no operation %q (has: %s)",
			integration, e.Kind, operation, strings.Join(slices.Sorted(maps.Keys(e.Operations)), ", "))
	}
	return e, op, nil
}

// Call performs one attempt of c. On failure it returns the Result so far
// (the request always, the response if there was one) and an *Error, or a
// plain error for bad input, which must not be retried.
func (s *Set) Call(ctx context.Context, c Call) (Result, error) {
	var res Result
	e, op, err := s.lookup(c.Integration, c.Operation)
	if err != nil {
		return res, err
	}
	for _, f := range op.Required() {
		if v, ok := c.Input[f]; !ok || v == nil {
			return res, fmt.Errorf("with.%s is required by %s.%s", f, c.Integration, c.Operation)
		}
	}
	if sd, ok := op.(Sender); ok {
		ctx, cancel := context.WithTimeout(ctx, e.Timeout)
		defer cancel()
		res, err := sd.Send(ctx, c, s.dial)
		if ce, ok := err.(*Error); ok {
			return e.redactResult(res), e.classified(ce)
		}
		return e.redactResult(res), e.redactErr(err)
	}
	ctx, cancel := context.WithTimeout(ctx, e.Timeout)
	defer cancel()
	if f, ok := op.(finder); ok && f.finder() != nil {
		// Find first: a record that is there is the answer, so a retry
		// after a lost answer finds what the first attempt created.
		found, err := s.roundTrip(ctx, e, c, f.finder())
		if err != nil {
			return found, err
		}
		if out, ok := found.Output.(map[string]any); ok && out["found"] == true {
			return found, nil
		}
	}
	f, _ := op.(follower)
	var then Operation
	if f != nil {
		then = f.next()
	}
	if then != nil {
		// The second request's input is checked before the first is sent,
		// so bad input never leaves a step half done.
		if _, err := then.Request(c); err != nil && !errors.Is(err, Skip) {
			return res, e.redactErr(err)
		}
	}
	res, err = s.roundTrip(ctx, e, c, op)
	if err != nil || then == nil {
		return res, err
	}
	next, err := s.roundTrip(ctx, e, c, then)
	switch {
	case errors.Is(err, Skip):
		return res, nil
	case err != nil:
		return next, err
	}
	if out, ok := res.Output.(map[string]any); ok {
		if more, ok := next.Output.(map[string]any); ok {
			maps.Copy(out, more)
		}
	}
	return res, nil
}

// follower is an Operation that may send a second request after its own;
// next() is nil when it does not.
type follower interface {
	next() Operation
}

// absenter is an Operation for which some answers mean "no such record":
// absent returns the output for such an answer.
type absenter interface {
	absent(r *Response) (any, bool)
}

// finder is an Operation that may look for its record before it creates
// one; finder() is nil when it does not.
type finder interface {
	finder() Operation
}

// roundTrip sends op's request for c and reads the answer, under ctx's
// per-attempt deadline.
func (s *Set) roundTrip(ctx context.Context, e *entry, c Call, op Operation) (Result, error) {
	var res Result
	req, err := op.Request(c)
	if err != nil {
		return res, e.redactErr(err)
	}
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return res, fmt.Errorf("%s.%s: request URL must be an absolute http or https URL", c.Integration, c.Operation)
	}
	method := cmp.Or(req.Method, http.MethodPost)
	header := req.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("User-Agent", UserAgent)
	if key := idempotencyKey(op, c.IdempotencyKey); key != "" {
		header.Set("Idempotency-Key", key)
	}
	// What is recorded shows where the credential goes, never what it is.
	shown := Request{Method: method, URL: req.URL, Header: header.Clone(), Body: req.Body}
	if err := e.Auth.apply(ctx, &shown, true); err != nil {
		return res, e.redactErr(err)
	}
	shownURL := e.redact.recordURL(shown.URL)
	res.Request = RecordedRequest{Method: method, URL: shownURL, Headers: e.redact.recordHeaders(shown.Header)}
	res.Request.Body, _ = e.redact.recordBody(req.Body)

	resp, err := s.send(ctx, e, Request{Method: method, URL: req.URL, Header: header, Body: req.Body})
	if err == nil && resp.StatusCode == http.StatusUnauthorized && e.Auth.refresh() {
		// A cached token may have been revoked or expired early: one more
		// try with a fresh one, within the same attempt.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxResponseBody))
		resp.Body.Close()
		resp, err = s.send(ctx, e, Request{Method: method, URL: req.URL, Header: header, Body: req.Body})
	}
	if err != nil {
		if ce, ok := err.(*Error); ok {
			return res, e.classified(ce)
		}
		return res, e.classified(networkError(ctx, method, shownURL, err, e.Timeout))
	}
	defer resp.Body.Close()
	body, truncated, readErr := readCapped(resp.Body, MaxResponseBody)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body, Truncated: truncated}
	rec := &RecordedResponse{Status: r.Status, Headers: e.redact.recordHeaders(r.Header)}
	var recTrunc bool
	rec.Body, recTrunc = e.redact.recordBody(body)
	rec.Truncated = truncated || recTrunc
	res.Response = rec
	if readErr != nil {
		return res, e.classified(networkError(ctx, method, shownURL, fmt.Errorf("reading response: %w", readErr), e.Timeout))
	}
	if a, ok := op.(absenter); ok {
		if out, ok := a.absent(r); ok {
			res.Output = e.redact.value(out)
			return res, nil
		}
	}
	if r.Status < 200 || r.Status > 299 {
		se := replayed(r, statusError(r, s.now(), e.redact.replace))
		if cl, ok := op.(Classifier); ok {
			se = cl.Classify(r, se)
		}
		se.Message = c.Integration + "." + c.Operation + ": " + se.Message
		return res, e.classified(se)
	}
	out, err := op.Output(r)
	if err != nil {
		// A failure reported in a 2xx body reads like one in a status.
		if oe, ok := err.(*Error); ok {
			ce := *oe
			ce.Message = c.Integration + "." + c.Operation + ": " + ce.Message
			return res, e.classified(&ce)
		}
		return res, e.redactErr(fmt.Errorf("%s.%s: %w", c.Integration, c.Operation, err))
	}
	res.Output = e.redact.value(out)
	return res, nil
}

// send makes one HTTP request of r, with the integration's credential.
func (s *Set) send(ctx context.Context, e *entry, r Request) (*http.Response, error) {
	r.Header = r.Header.Clone()
	if err := e.Auth.apply(ctx, &r, false); err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return nil, &Error{Message: e.redact.replace(err.Error())}
	}
	hreq.Header = r.Header
	return s.client.Do(hreq)
}

// classified caps a vendor's retry delay at the retry policy's
// max_interval, so that no Retry-After (or a vendor's own delay field, in
// whatever unit) holds a step longer than the integration allows between
// attempts, and keeps secrets out of the message.
func (e *entry) classified(ce *Error) error {
	c := *ce
	if c.RetryAfter > e.Retry.MaxInterval {
		c.RetryAfter = e.Retry.MaxInterval
	}
	return e.redactErr(&c)
}

// redactResult keeps configured secrets out of what a Sender recorded, and
// caps the recorded bodies.
func (e *entry) redactResult(res Result) Result {
	res.Request = e.redact.recordRequest(res.Request)
	if r := res.Response; r != nil {
		c := *r
		c.Headers = e.redact.recordMap(c.Headers)
		var trunc bool
		c.Body, trunc = e.redact.recordBody([]byte(c.Body))
		c.Truncated = c.Truncated || trunc
		res.Response = &c
	}
	res.Output = e.redact.value(res.Output)
	return res
}

// redactErr keeps configured secrets out of error messages, keeping *Error.
func (e *entry) redactErr(err error) error {
	if err == nil {
		return nil
	}
	if ce, ok := err.(*Error); ok {
		c := *ce
		c.Message = e.redact.replace(c.Message)
		return &c
	}
	if msg := e.redact.replace(err.Error()); msg != err.Error() {
		return fmt.Errorf("%s", msg)
	}
	return err
}
