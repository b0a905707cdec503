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
// routes; dev adds the inspector. openStatus serves /status and
// /openapi.json without the admin token (dev, on loopback); serve asks for
// it, as both name every trigger, which the 404 for an unknown one does not.
func publicMux(p *project.Project, hooks http.Handler, c client.Client, logger *slog.Logger, openStatus bool) *http.ServeMux {
	mux := http.NewServeMux()
	status := statusHandler(newStatusSnapshot(c))
	if !openStatus {
		status = requireToken(status, p.AdminToken, "/status")
	}
	mux.Handle("/status", status)
	mux.Handle("/runs/", &admin.Handler{Token: p.AdminToken, Signaler: c, Logger: logger})
	if h, ok := hooks.(interface{ Triggers() *triggers.Set }); ok {
		doc := openapiHandler(h.Triggers)
		if !openStatus {
			doc = requireToken(doc, p.AdminToken, openapiPath)
		}
		mux.Handle("GET "+openapiPath, doc)
	}
	mux.Handle("/", hooks)
	return mux
}
