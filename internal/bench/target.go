package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Target is where events are POSTed and how each is signed.
type Target struct {
	URL    string // the full URL, e.g. http://127.0.0.1:18080/hooks/bench
	Client *http.Client
	// Sign adds the provider's signature headers for a body and delivery id.
	Sign func(req *http.Request, body []byte, id string) error
	// Body is the payload for event token seq.
	Body func(token string, seq int) []byte
}

// Post sends one event and returns the answer's status.
func (t *Target) Post(ctx context.Context, token string, seq int) (int, error) {
	body := t.Body(token, seq)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.Sign != nil {
		if err := t.Sign(req, body, token); err != nil {
			return 0, fmt.Errorf("sign: %w", err)
		}
	}
	resp, err := t.Client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// NewClient is an HTTP client that keeps up to conns connections to one
// host alive, so the tool measures the target rather than TCP handshakes.
func NewClient(conns int, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns
	tr.MaxIdleConnsPerHost = conns
	tr.Proxy = nil // a load tool on loopback must not go through a proxy from the environment
	return &http.Client{Transport: tr, Timeout: timeout}
}

// CheckLoopback refuses a target that is not on this machine's loopback
// interface: the tool sends thousands of requests, and a typo must not send
// them elsewhere. Host names other than localhost are refused as well, since
// resolving them could lead anywhere.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("target %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("target %q: use an http:// or https:// URL", raw)
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("target %q is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-remote to load another machine you own", raw)
	}
	return nil
}
