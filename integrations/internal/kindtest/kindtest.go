// Package kindtest is what the vendor kinds' tests share: a vendor stand-in
// on 127.0.0.1, a Set loaded from YAML through catalog.Load (so each kind's
// config validation runs too), and a check that no secret leaked into what
// is recorded or returned.
package kindtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
)

// Loopback is the allow list the tests load with: only 127.0.0.0/8.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// Load parses doc as the `integrations:` mapping of hookflow.yaml and loads
// it, failing the test on any error.
func Load(t testing.TB, doc string) *integrations.Set {
	t.Helper()
	s, err := LoadErr(t, doc)
	if err != nil {
		t.Fatalf("load:\n%v", err)
	}
	return s
}

// LoadErr is Load returning the error, for config validation tests.
func LoadErr(t testing.TB, doc string) (*integrations.Set, error) {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatalf("test YAML: %v", err)
	}
	var node *yaml.Node
	if len(root.Content) > 0 {
		node = root.Content[0]
	}
	return catalog.Load("hookflow.yaml", node, Loopback)
}

// Got is a request the vendor stand-in received.
type Got struct {
	Method string
	Path   string // escaped, as sent
	Query  string
	Header http.Header
	Body   []byte
}

// JSON decodes the body, failing the test if it is not JSON.
func (g Got) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(g.Body, &m); err != nil {
		t.Fatalf("request body is not a JSON object: %v\n%s", err, g.Body)
	}
	return m
}

// Vendor is an HTTP server on 127.0.0.1 standing in for a vendor API. It
// records every request and answers with Reply.
type Vendor struct {
	URL string
	srv *httptest.Server

	mu     sync.Mutex
	got    []Got
	reply  Reply
	answer func(Got) Reply // set by ServeFunc
}

// Reply is one scripted answer.
type Reply struct {
	Status int
	Header map[string]string
	Body   string
}

// Serve starts a vendor stand-in answering reply until the test ends.
func Serve(t testing.TB, reply Reply) *Vendor {
	t.Helper()
	return serve(t, &Vendor{reply: reply})
}

// ServeFunc starts a vendor stand-in that answers each request as the
// vendor's current contract does: answer checks what it got (path, version,
// auth header) and says what the vendor would reply.
func ServeFunc(t testing.TB, answer func(Got) Reply) *Vendor {
	t.Helper()
	return serve(t, &Vendor{answer: answer})
}

func serve(t testing.TB, v *Vendor) *Vendor {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		g := Got{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
		v.mu.Lock()
		v.got = append(v.got, g)
		rep, answer := v.reply, v.answer
		v.mu.Unlock()
		if answer != nil {
			rep = answer(g)
		}
		for k, val := range rep.Header {
			w.Header().Set(k, val)
		}
		if b := strings.TrimSpace(rep.Body); w.Header().Get("Content-Type") == "" && (strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[")) {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(rep.Status)
		io.WriteString(w, rep.Body)
	}))
	t.Cleanup(srv.Close)
	v.URL, v.srv = srv.URL, srv
	return v
}

// Close stops the stand-in, so that its address refuses connections: a
// vendor that is down.
func (v *Vendor) Close() { v.srv.Close() }

// Answer changes the scripted reply.
func (v *Vendor) Answer(r Reply) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.reply, v.answer = r, nil
}

// All is every request received, in order.
func (v *Vendor) All() []Got {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Got(nil), v.got...)
}

// Last is the last request received; the test fails if there was none.
func (v *Vendor) Last(t testing.TB) Got {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.got) == 0 {
		t.Fatal("the vendor received no request")
	}
	return v.got[len(v.got)-1]
}

// Count is how many requests were received.
func (v *Vendor) Count() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.got)
}

// Call performs integration.operation with input, and checks that none of
// secrets appears in the recorded request and response, the output, or the
// error.
func Call(t testing.TB, s *integrations.Set, integration, operation string, input map[string]any, secrets ...string) (integrations.Result, error) {
	t.Helper()
	res, err := s.Call(context.Background(), integrations.Call{
		Integration: integration, Operation: operation, Input: input,
		IdempotencyKey: "shop-orders/evt-1/" + operation,
	})
	NoSecret(t, res, err, secrets...)
	return res, err
}

// NoSecret fails the test if a secret appears in res or err.
func NoSecret(t testing.TB, res integrations.Result, err error, secrets ...string) {
	t.Helper()
	rec, _ := json.Marshal(res)
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(string(rec), s) {
			t.Errorf("secret %q appears in the result: %s", s, rec)
		}
		if err != nil && strings.Contains(err.Error(), s) {
			t.Errorf("secret %q appears in the error: %v", s, err)
		}
	}
}

// Failure asserts err is an *integrations.Error with the given retry class
// and returns it.
func Failure(t testing.TB, err error, retryable bool) *integrations.Error {
	t.Helper()
	var e *integrations.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *integrations.Error", err, err)
	}
	if e.Retryable != retryable {
		t.Errorf("Retryable = %v, want %v (%s)", e.Retryable, retryable, e.Message)
	}
	return e
}
