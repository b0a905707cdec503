package dashboard

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/hookflow/hookflow/internal/loopback"
)

// access says whether r may read the dashboard's data (status 0) or why
// not. A request with the admin token may; so may one made on this machine
// straight to hookflow: from a loopback address, to a loopback host name,
// through no proxy. The host check stops DNS rebinding (a web page whose
// name resolves to 127.0.0.1), and the proxy check stops a reverse proxy
// on this machine from opening the dashboard to everyone it serves.
// A POST must also come from the dashboard's own page, not another site's.
func (h *Handler) access(r *http.Request) (status int, msg string) {
	if r.Method == http.MethodPost && !sameOrigin(r) {
		return http.StatusForbidden, "the dashboard takes actions only from its own page"
	}
	token := h.project.Load().AdminToken
	if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(token))
		if token != "" && subtle.ConstantTimeCompare(a[:], b[:]) == 1 {
			return 0, ""
		}
		return http.StatusUnauthorized, "the admin token is wrong: send admin.token from hookflow.yaml as Authorization: Bearer TOKEN"
	}
	if loopback.Request(r) {
		return 0, ""
	}
	if token == "" {
		return http.StatusForbidden, "the dashboard answers only on this machine; set admin.token in hookflow.yaml to open it to other hosts"
	}
	return http.StatusUnauthorized, "send admin.token from hookflow.yaml as Authorization: Bearer TOKEN (the page asks for it)"
}

// sameOrigin: the browser says the request comes from this origin (fetch
// metadata, or Origin naming this host); a client that sends neither, such
// as curl, is no browser and so no cross-site forgery.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
