package main

import (
	"net/http"
	"strings"

	"github.com/hookflow/hookflow/internal/loopback"
)

// devLocalOnly guards what dev serves without a token (/status,
// /openapi.json, the inspector's page and its recorded requests): it
// answers requests made on this machine straight to dev, as the dashboard
// does, and otherwise asks for the admin token. Without it, a web page
// using DNS rebinding, or a tunnel that forwards a provider's webhooks to
// dev, would show them (recorded bodies included) to anyone.
func devLocalOnly(h http.Handler, token, what string) http.Handler {
	remote := requireToken(h, token, what)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if loopback.Request(r) {
			h.ServeHTTP(w, r)
			return
		}
		if token == "" {
			writeStatusError(w, http.StatusForbidden, "hookflow dev shows "+what+" only to requests made on this machine to localhost or a loopback address; set admin.token in hookflow.yaml to open it to other hosts")
			return
		}
		remote.ServeHTTP(w, r)
	})
}

// devInspector keeps the inspector's recording open (the samples' and a
// tunnel's calls land there) and guards its page and its requests list.
func devInspector(ins http.Handler, token string) http.Handler {
	guarded := devLocalOnly(ins, token, "the inspector")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.Trim(strings.TrimPrefix(r.URL.Path, "/inspect"), "/") {
		case "", "requests":
			guarded.ServeHTTP(w, r)
		default:
			ins.ServeHTTP(w, r)
		}
	})
}
