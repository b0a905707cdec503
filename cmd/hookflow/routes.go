package main

import (
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"

	"github.com/hookflow/hookflow/internal/admin"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

// publicMux puts the admin API beside the webhook routes; dev adds the inspector.
func publicMux(p *project.Project, hooks http.Handler, c client.Client, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/status", statusHandler(c))
	mux.Handle("/runs/", &admin.Handler{Token: p.AdminToken, Signaler: c, Logger: logger})
	if h, ok := hooks.(interface{ Triggers() *triggers.Set }); ok {
		mux.Handle("GET "+openapiPath, openapiHandler(h.Triggers))
	}
	mux.Handle("/", hooks)
	return mux
}
