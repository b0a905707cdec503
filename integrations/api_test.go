package integrations

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// vendorAPI is a small API written with the core, as a kind would be.
func vendorAPI(t *testing.T, base string) *API {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &API{
		Base:   u,
		Header: http.Header{"X-Api-Version": {"2026-10"}},
		Errors: func(r *Response, e *Error) *Error {
			if r.Status == http.StatusConflict {
				e.Retryable = true
				e.Message += " (vendor: locked)"
			}
			return e
		},
	}
}

var getOrder = &Op{
	Method:   http.MethodGet,
	Path:     "shops/{shop}/orders/{order_id}",
	Required: []string{"shop", "order_id"},
	Optional: []string{"expand"},
	Build: func(in *In) (any, error) {
		shop, err := in.String("shop")
		if err != nil {
			return nil, err
		}
		in.Params["shop"] = shop
		if e, _ := in.OptString("expand"); e != "" {
			in.Query.Set("expand", e)
		}
		return nil, nil
	},
	Output: func(r *Response) (any, error) { return map[string]any{"status": r.Status}, nil },
}

// A value that reaches a URL path is one segment: "/", "?", "#", ";" and
// "%" cannot add segments, a query or a fragment, and dot segments are
// refused before anything is sent.
func TestOpPathSegments(t *testing.T) {
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL+"/api/v2")
	s := NewSet(loopback, &Integration{Name: "v", Operations: api.Operations(map[string]*Op{"get_order": getOrder})})
	for _, tc := range []struct {
		shop, order any
		want        string
	}{
		{"acme", 42, "/api/v2/shops/acme/orders/42?"},
		{"acme/x", "a/b", "/api/v2/shops/acme%2Fx/orders/a%2Fb?"},
		{"acme", "1?admin=true", "/api/v2/shops/acme/orders/1%3Fadmin=true?"},
		{"acme", "1#frag", "/api/v2/shops/acme/orders/1%23frag?"},
		{"acme", "1;jsessionid=x", "/api/v2/shops/acme/orders/1%3Bjsessionid=x?"},
		{"acme", "%2e%2e%2fadmin", "/api/v2/shops/acme/orders/%252e%252e%252fadmin?"},
		{"acme", "%2F", "/api/v2/shops/acme/orders/%252F?"},
	} {
		_, err := s.Call(context.Background(), Call{Integration: "v", Operation: "get_order", Input: map[string]any{"shop": tc.shop, "order_id": tc.order}})
		if err != nil {
			t.Errorf("%v/%v: %v", tc.shop, tc.order, err)
			continue
		}
		mu.Lock()
		got := paths[len(paths)-1]
		mu.Unlock()
		if got != tc.want {
			t.Errorf("%v/%v: sent %s, want %s", tc.shop, tc.order, got, tc.want)
		}
	}
	n := len(paths)
	for _, tc := range []struct {
		shop, order any
		want        string
	}{
		{"acme", "..", `with.order_id must be an id, not ".."`},
		{"acme", " . ", `with.order_id must be an id, not "."`},
		{"..", "1", `with.shop: a URL path segment cannot be or contain the dot segment ".."`},
		{".", "1", `with.shop: a URL path segment cannot be or contain the dot segment "."`},
		// Servers that decode %2F, or treat \ as /, or drop ;params
		// before resolving dot segments would climb: refused, not escaped.
		{"acme", "../../admin", `with.order_id: a URL path segment cannot be or contain the dot segment ".."`},
		{"acme/../../x", "1", `with.shop: a URL path segment cannot be or contain the dot segment ".."`},
		{"acme", `..\admin`, `with.order_id: a URL path segment cannot be or contain the dot segment ".."`},
		{"acme", "..;x/admin", `with.order_id: a URL path segment cannot be or contain the dot segment "..;x"`},
		{"acme", "//", "with.order_id: a URL path segment cannot be only slashes"},
		{"acme", "", "with.order_id must not be empty"},
	} {
		_, err := s.Call(context.Background(), Call{Integration: "v", Operation: "get_order", Input: map[string]any{"shop": tc.shop, "order_id": tc.order}})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q/%q: error %v, want %q", tc.shop, tc.order, err, tc.want)
		}
	}
	if len(paths) != n {
		t.Errorf("a refused id reached the vendor")
	}
}

func TestOpRequestShape(t *testing.T) {
	api := vendorAPI(t, "https://vendor.example/api?sig=a%2Bb")
	op := &Op{
		Path:     "items/",
		Required: []string{"name"},
		Build: func(in *In) (any, error) {
			in.Query.Set("wait", "true")
			in.Header.Set("X-Request", "1")
			return map[string]any{"name": in.With["name"], "html": "<b>"}, nil
		},
	}
	req, err := api.Operations(map[string]*Op{"o": op})["o"].Request(Call{Input: map[string]any{"name": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != http.MethodPost || req.URL != "https://vendor.example/api/items/?sig=a%2Bb&wait=true" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if string(req.Body) != `{"html":"<b>","name":"a"}` {
		t.Errorf("body %s", req.Body)
	}
	for k, want := range map[string]string{"Content-Type": "application/json", "Accept": "application/json", "X-Api-Version": "2026-10", "X-Request": "1"} {
		if got := req.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if _, err := api.Operations(map[string]*Op{"o": op})["o"].Request(Call{Input: map[string]any{"name": "a", "nmae": "b"}}); err == nil || err.Error() != "with.nmae: unknown field (takes: name)" {
		t.Errorf("unknown field: %v", err)
	}
	form := &Op{Build: func(in *In) (any, error) { in.Form = url.Values{"To": {"+1"}}; return nil, nil }}
	req, _ = api.Operations(map[string]*Op{"f": form})["f"].Request(Call{})
	if string(req.Body) != "To=%2B1" || req.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("form %s %v", req.Body, req.Header)
	}
}

// countingToken is a Token that caches and counts what it fetched.
type countingToken struct {
	fetched, refreshed atomic.Int32
	fail               error
}

func (c *countingToken) Token(context.Context) (string, error) {
	if c.fail != nil {
		return "", c.fail
	}
	return "tok-" + string(rune('0'+c.fetched.Add(1))), nil
}

func (c *countingToken) Refresh() { c.refreshed.Add(1) }

// The credential is put on at send time, shown redacted, never asked for
// by Build, and refreshed once after a 401.
func TestAuth(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization")+" "+r.URL.RawQuery)
		mu.Unlock()
		if r.Header.Get("Authorization") == "Bearer tok-1" {
			w.WriteHeader(http.StatusUnauthorized) // the first token was revoked
		}
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL)
	tok := &countingToken{}
	in := &Integration{Name: "v", Auth: Bearer(tok), Operations: api.Operations(map[string]*Op{"o": {Path: "x"}})}
	s := NewSet(loopback, in)
	rec, err := s.Build(Call{Integration: "v", Operation: "o"})
	if err != nil || rec.Headers["Authorization"] != "[redacted]" || tok.fetched.Load() != 0 {
		t.Fatalf("Build: %v %v, fetched %d", rec.Headers, err, tok.fetched.Load())
	}
	res, err := s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, ","); got != "Bearer tok-1 ,Bearer tok-2 " || tok.refreshed.Load() != 1 {
		t.Errorf("sent %s, refreshed %d", got, tok.refreshed.Load())
	}
	if res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded %v", res.Request.Headers)
	}

	// A static token is not refreshed: a 401 is the answer.
	seen = nil
	s = NewSet(loopback, &Integration{Name: "v", Auth: Bearer(StaticToken("tok-1")), Operations: in.Operations})
	_, err = s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if e, ok := errors.AsType[*Error](err); !ok || e.Status != 401 || len(seen) != 1 {
		t.Errorf("static 401: %v, %d requests", err, len(seen))
	}

	// Query credentials are recorded redacted.
	seen = nil
	s = NewSet(loopback, &Integration{Name: "v", Operations: in.Operations,
		Auth: QueryAuth(QueryParam{"consumer_key", StaticToken("ck_1")}, QueryParam{"consumer_secret", StaticToken("cs_1")})})
	res, err = s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if err != nil || seen[0] != " consumer_key=ck_1&consumer_secret=cs_1" || strings.Contains(res.Request.URL, "cs_1") {
		t.Errorf("query auth: sent %v, recorded %s, %v", seen, res.Request.URL, err)
	}

	// A token that cannot be had is retryable unless it says otherwise.
	tok = &countingToken{fail: errors.New("token endpoint: 503")}
	s = NewSet(loopback, &Integration{Name: "v", Auth: Bearer(tok), Operations: in.Operations})
	_, err = s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if e, ok := errors.AsType[*Error](err); !ok || !e.Retryable || !strings.Contains(e.Message, "credential") {
		t.Errorf("token error: %v", err)
	}
	tok.fail = &Error{Message: "invalid_client"}
	_, err = s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if e, ok := errors.AsType[*Error](err); !ok || e.Retryable {
		t.Errorf("permanent token error: %v", err)
	}
}

// Defect 1 (issue 13): a vendor's delay, from Retry-After or its own body
// field in whatever unit, never exceeds the retry policy's max_interval.
func TestRetryAfterCappedByMaxInterval(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL)
	slow := &Op{Errors: func(r *Response, e *Error) *Error {
		e.RetryAfter = 1500 * time.Second // a millisecond value read as seconds
		return e
	}}
	s := NewSet(loopback, &Integration{Name: "v", Retry: RetryPolicy{MaxInterval: time.Minute},
		Operations: api.Operations(map[string]*Op{"header": {}, "body": slow})})
	for _, op := range []string{"header", "body"} {
		_, err := s.Call(context.Background(), Call{Integration: "v", Operation: op})
		e, ok := errors.AsType[*Error](err)
		if !ok || !e.Retryable || e.RetryAfter != time.Minute {
			t.Errorf("%s: %v (RetryAfter %v), want a retry after max_interval 1m", op, err, e.RetryAfter)
		}
	}
	// A shorter delay is kept.
	d := NewSet(loopback, &Integration{Name: "v", Retry: RetryPolicy{MaxInterval: 2 * time.Hour}, Operations: api.Operations(map[string]*Op{"header": {}})})
	_, err := d.Call(context.Background(), Call{Integration: "v", Operation: "header"})
	if e, ok := errors.AsType[*Error](err); !ok || e.RetryAfter != time.Hour {
		t.Errorf("under max_interval: %v", err)
	}
}

// A read whose 404 means "no such record" answers {found: false}; other
// failures stay failures.
func TestOpNotFound(t *testing.T) {
	status := http.StatusNotFound
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	api := vendorAPI(t, srv.URL)
	get := &Op{Method: http.MethodGet, Path: "orders/{id}", Required: []string{"id"}, NotFound: map[string]any{"found": false, "id": nil}}
	s := NewSet(loopback, &Integration{Name: "v", Operations: api.Operations(map[string]*Op{"get": get})})
	res, err := s.Call(context.Background(), Call{Integration: "v", Operation: "get", Input: map[string]any{"id": 7}})
	if out, _ := res.Output.(map[string]any); err != nil || out["found"] != false || res.Response.Status != 404 {
		t.Errorf("404: %v, %v", res.Output, err)
	}
	status = http.StatusForbidden
	if _, err := s.Call(context.Background(), Call{Integration: "v", Operation: "get", Input: map[string]any{"id": 7}}); err == nil {
		t.Error("403 is not absence")
	}
}

// Then sends a second request after the first one's 2xx answer, with the
// same `with`; its bad input fails the step before anything is sent, Skip
// sends nothing, and a failing Then is the step's failure and record.
func TestOpThen(t *testing.T) {
	var mu sync.Mutex
	var got []string
	tagStatus := http.StatusNoContent
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.Path)
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/tags") {
			w.WriteHeader(tagStatus)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":"m1"}`))
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL)
	op := &Op{
		Method: http.MethodPut, Path: "members/{id}", Required: []string{"id"}, Optional: []string{"tags"},
		Output: func(r *Response) (any, error) { return map[string]any{"id": "m1"}, nil },
		Then: &Op{
			Path: "members/{id}/tags",
			Build: func(in *In) (any, error) {
				tags, err := in.Strings("tags")
				if err != nil || tags == nil {
					return nil, cmpErr(err, Skip)
				}
				return map[string]any{"tags": tags}, nil
			},
			Output: func(r *Response) (any, error) { return map[string]any{"tagged": true}, nil },
		},
	}
	s := NewSet(loopback, &Integration{Name: "v", Operations: api.Operations(map[string]*Op{"upsert": op})})
	call := func(with map[string]any) (Result, error) {
		mu.Lock()
		got = nil
		mu.Unlock()
		return s.Call(context.Background(), Call{Integration: "v", Operation: "upsert", Input: with})
	}
	res, err := call(map[string]any{"id": "a", "tags": []any{"vip"}})
	if out, _ := res.Output.(map[string]any); err != nil || out["id"] != "m1" || out["tagged"] != true || strings.Join(got, ",") != "PUT /members/a,POST /members/a/tags" {
		t.Errorf("then: %v %v, sent %v", res.Output, err, got)
	}
	if res.Request.Method != http.MethodPut {
		t.Errorf("recorded %s, want the first request", res.Request.Method)
	}
	res, err = call(map[string]any{"id": "a"})
	if out, _ := res.Output.(map[string]any); err != nil || out["tagged"] != nil || len(got) != 1 {
		t.Errorf("skip: %v %v, sent %v", res.Output, err, got)
	}
	if _, err = call(map[string]any{"id": "a", "tags": 7}); err == nil || !strings.Contains(err.Error(), "with.tags") || len(got) != 0 {
		t.Errorf("bad then input: %v, sent %v", err, got)
	}
	tagStatus = http.StatusServiceUnavailable
	res, err = call(map[string]any{"id": "a", "tags": "vip"})
	if e, ok := errors.AsType[*Error](err); !ok || !e.Retryable || res.Request.Method != http.MethodPost || res.Response.Status != 503 {
		t.Errorf("then fails: %v, recorded %+v", err, res.Request)
	}
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// An API may shape the step's idempotency key as its vendor takes it; the
// shaped key is what Call sends and Build shows.
func TestIdempotencyKeyShape(t *testing.T) {
	var key atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key.Store(r.Header.Get("Idempotency-Key"))
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL)
	api.IdempotencyKey = func(k string) string { return "v-" + k }
	s := NewSet(loopback, &Integration{Name: "v", Operations: api.Operations(map[string]*Op{"o": {}})})
	c := Call{Integration: "v", Operation: "o", IdempotencyKey: "orders/1/r/s"}
	res, err := s.Call(context.Background(), c)
	if err != nil || key.Load() != "v-orders/1/r/s" || res.Request.Headers["Idempotency-Key"] != "v-orders/1/r/s" {
		t.Errorf("sent %v, recorded %v, %v", key.Load(), res.Request.Headers, err)
	}
	if rec, err := s.Build(c); err != nil || rec.Headers["Idempotency-Key"] != "v-orders/1/r/s" {
		t.Errorf("Build %v %v", rec.Headers, err)
	}
}

// PathAuth puts the token in the path below the base, as one escaped
// segment; what is recorded, built or returned never holds it.
func TestPathAuth(t *testing.T) {
	const canary = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw-canary"
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.EscapedPath())
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found: ` + r.URL.Path + `"}`))
	}))
	defer srv.Close()
	api := vendorAPI(t, srv.URL+"/tg")
	in := &Integration{Name: "v", Auth: PathAuth(api.Base, "bot", StaticToken(canary)), Secrets: []string{canary},
		Operations: api.Operations(map[string]*Op{"o": {Path: "sendMessage"}})}
	s := NewSet(loopback, in)
	res, err := s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if path.Load() != "/tg/bot"+canary+"/sendMessage" {
		t.Errorf("sent to %v", path.Load())
	}
	if res.Request.URL != srv.URL+"/tg/bot[redacted]/sendMessage" {
		t.Errorf("recorded %s", res.Request.URL)
	}
	rec, _ := s.Build(Call{Integration: "v", Operation: "o"})
	all := fmt.Sprint(res, err, rec)
	if strings.Contains(all, canary) || strings.Contains(all, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw") || rec.URL != res.Request.URL {
		t.Errorf("token leaked or shown differently: %s", all)
	}
	// No response: the error names the redacted URL.
	srv.Close()
	_, err = s.Call(context.Background(), Call{Integration: "v", Operation: "o"})
	if err == nil || strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), "/tg/bot[redacted]/sendMessage") {
		t.Errorf("network error %v", err)
	}
	// A token that is not one segment is never sent.
	bad := NewSet(loopback, &Integration{Name: "v", Auth: PathAuth(api.Base, "bot", StaticToken("../x")), Operations: in.Operations})
	if _, err := bad.Call(context.Background(), Call{Integration: "v", Operation: "o"}); err == nil || !strings.Contains(err.Error(), "one URL path segment") {
		t.Errorf("bad token: %v", err)
	}
}
