// Package admin is hookflow's operator HTTP API, separate from the public
// webhook routes: POST /runs/{workflow_id}/signals/{name} delivers a signal
// to a run waiting for it (CheckSignal refuses anything else). Every request
// needs the project's admin token.
package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"
)

// Signaler delivers a signal to a run after asking what it waits for; a
// Temporal client satisfies it.
type Signaler interface {
	Querier
	SignalWorkflow(ctx context.Context, workflowID, runID, signalName string, arg any) error
}

// Handler serves the admin API.
type Handler struct {
	// Token is the bearer token operators send; empty disables the API.
	Token    string
	Signaler Signaler
	Logger   *slog.Logger
}

const maxSignalBody = 1 << 20

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Token == "" {
		writeError(w, http.StatusNotFound, "the admin API is disabled; set admin.token in hookflow.yaml to enable it")
		return
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hookflow admin"`)
		writeError(w, http.StatusUnauthorized, "send the admin token as Authorization: Bearer <token>")
		return
	}
	rest := strings.TrimPrefix(r.URL.EscapedPath(), "/runs/")
	i := strings.LastIndex(rest, "/signals/")
	if r.Method != http.MethodPost || i <= 0 {
		writeError(w, http.StatusNotFound, "use POST /runs/{workflow_id}/signals/{name}")
		return
	}
	workflowID, err1 := unescape(rest[:i])
	name, err2 := unescape(rest[i+len("/signals/"):])
	if err1 != nil || err2 != nil || name == "" || strings.Contains(name, "/") {
		writeError(w, http.StatusBadRequest, "bad workflow id or signal name in the path")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSignalBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "signal payload is larger than 1 MiB")
		return
	}
	var payload any
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &payload); err != nil {
			writeError(w, http.StatusBadRequest, "signal payload is not valid JSON: "+err.Error())
			return
		}
	}
	if err := CheckSignal(r.Context(), h.Signaler, workflowID, name); err != nil {
		var se *SignalError
		if errors.As(err, &se) {
			writeError(w, se.Status, se.Msg)
			return
		}
		h.Logger.Error("signal", "workflow_id", workflowID, "signal", name, "error", err)
		writeError(w, http.StatusServiceUnavailable, "the workflow service did not answer; retry later")
		return
	}
	if err := h.Signaler.SignalWorkflow(r.Context(), workflowID, "", name, payload); err != nil {
		var nf *serviceerror.NotFound
		if errors.As(err, &nf) {
			writeError(w, http.StatusNotFound, "no running workflow "+workflowID)
			return
		}
		h.Logger.Error("signal", "workflow_id", workflowID, "signal", name, "error", err)
		writeError(w, http.StatusServiceUnavailable, "the workflow service did not take the signal; retry later")
		return
	}
	h.Logger.Info("signal delivered", "workflow_id", workflowID, "signal", name)
	writeJSON(w, http.StatusAccepted, map[string]string{"workflow_id": workflowID, "signal": name})
}

// authorized compares hashes in constant time, so neither content nor length leaks.
func (h *Handler) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(h.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON writes one line of JSON with <, > and & as they are (a message
// says "Bearer <token>"); nosniff keeps browsers from reading it as HTML.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
