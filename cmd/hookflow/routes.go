package main

import (
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/admin"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

// publicMux puts the admin API and /status beside the webhook routes; dev
// adds the inspector. openStatus serves /status without the admin token
// (dev, on loopback); serve asks for it.
func publicMux(p *project.Project, hooks http.Handler, c client.Client, logger *slog.Logger, openStatus bool) *http.ServeMux {
	mux := http.NewServeMux()
	status := statusHandler(newStatusSnapshot(c))
	if !openStatus {
		status = requireToken(status, p.AdminToken, "/status")
	}
	mux.Handle("/status", status)
	mux.Handle("/runs/", &admin.Handler{Token: p.AdminToken, Signaler: c, Logger: logger})
	if h, ok := hooks.(interface{ Triggers() *triggers.Set }); ok {
		mux.Handle("GET "+openapiPath, openapiHandler(h.Triggers))
	}
	mux.Handle("/", hooks)
	return mux
}
