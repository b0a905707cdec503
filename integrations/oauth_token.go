package integrations

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// OAuth is a Token whose access tokens are fetched from an OAuth 2.0 token
// endpoint (golang.org/x/oauth2 speaks the grants) and cached: a token is
// reused until shortly before it expires, and dropped by Refresh after a
// 401. The Set that holds it binds it to its SSRF-guarded client and to
// the integration's redactor, so the token endpoint is dialled like every
// call and no fetched token is ever recorded. Safe for concurrent use.
type OAuth struct {
	grant    string
	endpoint string // the token URL
	// fetch asks the token endpoint for a new token; ctx carries the
	// guarded client (oauth2.HTTPClient).
	fetch   func(ctx context.Context) (*oauth2.Token, error)
	secrets []string // configured secrets, for Integration.Secrets

	// refresh_token grant: the configuration and the refresh token,
	// replaced when the provider rotates it.
	conf    *oauth2.Config
	refresh string

	mu      sync.Mutex
	client  *http.Client // bound by the Set
	learn   func(secret string)
	now     func() time.Time
	token   string
	renewAt time.Time // zero: until a 401
	fetches int       // how many tokens were fetched, for tests
}

var (
	_ Token     = (*OAuth)(nil)
	_ Refresher = (*OAuth)(nil)
)

// Secrets are the configured secrets (client secret, refresh token,
// private key), for Integration.Secrets.
func (o *OAuth) Secrets() []string {
	if o == nil {
		return nil
	}
	return o.secrets
}

// binder is a Token that needs the Set's client and redactor.
type binder interface {
	bind(client *http.Client, learn func(secret string))
}

func (o *OAuth) bind(client *http.Client, learn func(string)) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.client, o.learn = client, learn
}

// renewMargin is how long before its expiry a token is replaced: a tenth
// of its lifetime, at most five minutes, so that no request goes out with
// a token about to expire.
func renewMargin(lifetime time.Duration) time.Duration {
	return min(lifetime/10, 5*time.Minute)
}

// Token returns the cached access token, fetching a new one when there is
// none or it is about to expire. Errors are *Error values: retryable when
// the endpoint may recover (network, 429, 5xx), permanent when the
// configuration must change (refused by the SSRF guard, invalid_client,
// invalid_grant).
func (o *OAuth) Token(ctx context.Context) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.clock()
	if o.token != "" && (o.renewAt.IsZero() || now.Before(o.renewAt)) {
		return o.token, nil
	}
	if o.client == nil {
		return "", &Error{Message: "oauth: the token source is not bound to an integration set"}
	}
	var dialErr error
	hc := &http.Client{
		Transport:     tokenTransport{base: o.client.Transport, ctx: ctx, err: &dialErr},
		CheckRedirect: o.client.CheckRedirect,
	}
	tok, err := o.fetch(context.WithValue(ctx, oauth2.HTTPClient, hc))
	if err != nil {
		return "", o.failure(ctx, err, dialErr)
	}
	if tok.AccessToken == "" {
		return "", &Error{Retryable: true, Message: o.prefix() + "the answer has no access_token"}
	}
	o.fetches++
	o.token, o.renewAt = tok.AccessToken, time.Time{}
	if !tok.Expiry.IsZero() {
		// The lifetime is judged by the wall clock oauth2 used; the renewal
		// time by ours, so that tests can move it.
		lifetime := time.Until(tok.Expiry)
		o.renewAt = now.Add(lifetime - renewMargin(lifetime))
	}
	if o.learn != nil {
		o.learn(tok.AccessToken)
		if tok.RefreshToken != "" {
			o.learn(tok.RefreshToken)
		}
	}
	return o.token, nil
}

// Refresh drops the cached token: the next request fetches a new one.
func (o *OAuth) Refresh() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.token = ""
}

func (o *OAuth) clock() time.Time {
	if o.now != nil {
		return o.now()
	}
	return time.Now()
}

// refreshed fetches an access token with the refresh token grant, keeping
// the new refresh token when the provider rotates it.
func (o *OAuth) refreshed(ctx context.Context) (*oauth2.Token, error) {
	tok, err := o.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: o.refresh}).Token()
	if err == nil && tok.RefreshToken != "" {
		o.refresh = tok.RefreshToken
	}
	return tok, err
}

// prefix names the token endpoint in errors, without its query.
func (o *OAuth) prefix() string {
	u, err := url.Parse(o.endpoint)
	if err != nil {
		return "oauth " + o.grant + ": "
	}
	u.RawQuery = ""
	return "oauth " + o.grant + " token from " + u.String() + ": "
}

// failure classifies a token endpoint that gave no token. oauth2 flattens
// some transport errors into text, so the dial error is taken from the
// transport itself.
func (o *OAuth) failure(ctx context.Context, err, dialErr error) *Error {
	if dialErr == nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			dialErr = ue.Err
		}
	}
	switch re, isRetrieve := errors.AsType[*oauth2.RetrieveError](err); {
	case dialErr != nil && refused(dialErr):
		why := dialErr.Error()
		if i := strings.Index(why, "prohibited "); i >= 0 {
			why = why[i:]
		}
		return &Error{Message: o.prefix() + "refused by the SSRF guard (" + why + "); add its network to outbound.allow_networks if this is intended"}
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &Error{Retryable: true, Message: o.prefix() + "no answer in time"}
	case isRetrieve:
		return o.rejected(re)
	case dialErr != nil:
		return &Error{Retryable: true, Message: o.prefix() + dialErr.Error()}
	}
	return &Error{Retryable: true, Message: o.prefix() + strings.TrimPrefix(err.Error(), "oauth2: ")}
}

// rejected classifies the token endpoint's error answer (RFC 6749 §5.2):
// 408, 429 and 5xx come back; anything else means the configured client,
// secret, key or grant is wrong, and retrying will not change it.
func (o *OAuth) rejected(re *oauth2.RetrieveError) *Error {
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	code, desc := re.ErrorCode, re.ErrorDescription
	if code == "" { // the jwt package does not parse the error body
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			code, desc = body.Error, body.Description
		}
	}
	msg := fmt.Sprintf("HTTP %d", status)
	if code != "" {
		msg += ": " + truncate(code, 100)
	}
	if desc != "" {
		msg += ": " + truncate(strings.Join(strings.Fields(desc), " "), maxVendorText)
	}
	e := &Error{Status: status, Retryable: status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500}
	if !e.Retryable {
		msg += " (check the integration's oauth settings: " + o.check() + ")"
	}
	if e.Retryable && re.Response != nil {
		e.RetryAfter = retryAfter(re.Response.Header.Get("Retry-After"), time.Now())
	}
	e.Message = o.prefix() + msg
	return e
}

// check names the settings a rejected grant depends on.
func (o *OAuth) check() string {
	switch o.grant {
	case RefreshToken:
		return "client_id, client_secret and refresh_token"
	case JWTBearer:
		return "client_id or service_account, private_key, subject and audience, and that the app is approved for the user"
	}
	return "client_id, client_secret and scopes"
}

// tokenTransport sends token requests through the Set's guarded transport,
// under the call's context (the jwt package posts without one), and keeps
// the transport's own error, which oauth2 may flatten into text.
type tokenTransport struct {
	base http.RoundTripper
	ctx  context.Context
	err  *error
}

func (t tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Context() != t.ctx {
		r = r.WithContext(t.ctx)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		*t.err = err
	}
	return resp, err
}
