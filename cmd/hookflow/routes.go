package main

import (
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/admin"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

// publicMux puts the admin API, /status and /openapi.json beside the webhook
// routes; dev adds the inspector. dev serves /status and /openapi.json
// without the admin token to requests made on this machine (devLocalOnly);
// serve asks for it, as both name every trigger, which the 404 for an
// unknown one does not.
func publicMux(p *project.Project, hooks http.Handler, c client.Client, logger *slog.Logger, dev bool) *http.ServeMux {
	mux := http.NewServeMux()
	guard := requireToken
	if dev {
		guard = devLocalOnly
	}
	status := guard(statusHandler(newStatusSnapshot(c)), p.AdminToken, "/status")
	mux.Handle("/status", status)
	mux.Handle("/runs/", &admin.Handler{Token: p.AdminToken, Signaler: c, Logger: logger})
	if h, ok := hooks.(interface{ Triggers() *triggers.Set }); ok {
		mux.Handle("GET "+openapiPath, guard(openapiHandler(h.Triggers), p.AdminToken, openapiPath))
	}
	mux.Handle("/", hooks)
	return mux
}
