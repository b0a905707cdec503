package integrations

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// maxRecordedBody bounds a body kept in workflow history.
const maxRecordedBody = 64 << 10

const redacted = "[redacted]"

// alwaysSecret are headers redacted whatever the kind says.
var alwaysSecret = []string{"authorization", "proxy-authorization", "cookie", "x-api-key", "webhook-signature"}

func recordRequest(req *http.Request, body []byte, secrets []string) RecordedRequest {
	rr := RecordedRequest{Method: req.Method, URL: req.URL.Redacted(), Headers: map[string]string{}, Body: capBody(body)}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if isSecret(lk, secrets) {
			rr.Headers[lk] = redacted
			continue
		}
		rr.Headers[lk] = strings.Join(v, ", ")
	}
	return rr
}

func recordResponse(resp *http.Response, body []byte) *RecordedResponse {
	rr := &RecordedResponse{Status: resp.StatusCode, Headers: map[string]string{}, Body: capBody(body)}
	for k, v := range resp.Header {
		lk := strings.ToLower(k)
		if lk == "set-cookie" {
			continue
		}
		rr.Headers[lk] = strings.Join(v, ", ")
	}
	return rr
}

func isSecret(lk string, secrets []string) bool {
	for _, s := range alwaysSecret {
		if lk == s {
			return true
		}
	}
	for _, s := range secrets {
		if lk == strings.ToLower(s) {
			return true
		}
	}
	return strings.Contains(lk, "token") || strings.Contains(lk, "secret") || strings.Contains(lk, "signature")
}

func capBody(b []byte) string {
	if len(b) <= maxRecordedBody {
		return string(b)
	}
	cut := b[:maxRecordedBody]
	for len(cut) > 0 && !utf8.Valid(cut) {
		cut = cut[:len(cut)-1]
	}
	return string(cut) + "…[truncated]"
}
