package integrations

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hookflow/hookflow/redact"
)

const redacted = redact.Mask

// Sensitive reports whether a header or query parameter called name carries
// a credential, so that its value is never recorded. It is redact.Sensitive:
// one list for what comes in at the triggers and what goes out here.
func Sensitive(name string) bool { return redact.Sensitive(name) }

// redactor replaces an integration's configured secrets wherever they occur,
// raw and URL-escaped, and the tokens its OAuth sources fetched.
type redactor struct {
	secrets []string
	// limit caps a recorded body; 0 means MaxRecordedBody.
	limit int
	// fetched are the credentials fetched at run time (OAuth access and
	// refresh tokens), shared by the copies of the redactor.
	fetched *fetchedSecrets
}

// fetchedSecrets holds the last few tokens fetched: a vendor may echo an
// earlier token after a newer one is fetched, but not one long replaced.
type fetchedSecrets struct {
	mu   sync.RWMutex
	list []string // newest last, each with its escaped forms
}

const keepFetched = 8

// learn adds a fetched credential to what is redacted.
func (r redactor) learn(secret string) {
	if r.fetched == nil || len(secret) < minSecret {
		return
	}
	f := r.fetched
	f.mu.Lock()
	defer f.mu.Unlock()
	if slices.Contains(f.list, secret) {
		return
	}
	f.list = append(f.list, secret, url.QueryEscape(secret), url.PathEscape(secret))
	if n := len(f.list) - 3*keepFetched; n > 0 {
		f.list = slices.Delete(f.list, 0, n)
	}
}

// minSecret: shorter values would blank out ordinary text; they are still
// never sent anywhere but their own header.
const minSecret = 4

func newRedactor(secrets []string, limit int) redactor {
	var r []string
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		r = append(r, s, url.QueryEscape(s), url.PathEscape(s))
	}
	slices.SortFunc(r, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return redactor{secrets: slices.Compact(r), limit: limit, fetched: &fetchedSecrets{}}
}

func (r redactor) replace(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	if r.fetched != nil {
		r.fetched.mu.RLock()
		for _, sec := range r.fetched.list {
			s = strings.ReplaceAll(s, sec, redacted)
		}
		r.fetched.mu.RUnlock()
	}
	return s
}

// value redacts the strings of a step's output (a vendor that echoes a
// credential in a field the output keeps): outputs land in history and
// feed later steps' templates.
func (r redactor) value(v any) any {
	if len(r.secrets) == 0 && (r.fetched == nil || r.fetched.empty()) {
		return v
	}
	switch v := v.(type) {
	case string:
		return r.replace(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.replace(k)] = r.value(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.value(x)
		}
		return out
	}
	return v
}

func (f *fetchedSecrets) empty() bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.list) == 0
}

// recordURL hides the userinfo password, credential-like query values and
// the integration's secrets.
func (r redactor) recordURL(raw string) string {
	return r.replace(redact.URL(raw))
}

func (r redactor) recordHeaders(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		switch {
		case Sensitive(k):
			out[k] = redacted
		case redact.URLHeader(k):
			out[k] = r.recordURL(strings.Join(vs, ", "))
		default:
			out[k] = r.replace(strings.Join(vs, ", "))
		}
	}
	return out
}

// recordBody redacts b and caps it at the record limit on a rune boundary.
func (r redactor) recordBody(b []byte) (string, bool) {
	s := r.replace(strings.ToValidUTF8(string(b), "\uFFFD"))
	limit := r.limit
	if limit <= 0 {
		limit = MaxRecordedBody
	}
	if len(s) <= limit {
		return s, false
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// truncate shortens s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// recordRequest redacts a request recorded by a Sender or a Previewer.
func (r redactor) recordRequest(q RecordedRequest) RecordedRequest {
	q.URL = r.recordURL(q.URL)
	q.Headers = r.recordMap(q.Headers)
	q.Body, _ = r.recordBody([]byte(q.Body))
	return q
}

// recordMap redacts recorded headers.
func (r redactor) recordMap(h map[string]string) map[string]string {
	if len(h) == 0 {
		return h
	}
	out := make(map[string]string, len(h))
	for k, v := range h {
		switch {
		case Sensitive(k):
			v = redacted
		case redact.URLHeader(k):
			v = redact.URL(v)
		}
		out[k] = r.replace(v)
	}
	return out
}
