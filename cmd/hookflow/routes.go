package main

import (
	"log/slog"
	"net/http"

	"github.com/hookflow/hookflow/internal/admin"
	"github.com/hookflow/hookflow/internal/project"
)

// publicMux puts the admin API beside the webhook routes; dev adds the inspector.
func publicMux(p *project.Project, hooks http.Handler, signaler admin.Signaler, logger *slog.Logger) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/runs/", &admin.Handler{Token: p.AdminToken, Signaler: signaler, Logger: logger})
	mux.Handle("/", hooks)
	return mux
}
