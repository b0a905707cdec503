package dashboard

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// maxReplayBody bounds the replay request: one workflow id.
const maxReplayBody = 4 << 10

func (h *Handler) replay(w http.ResponseWriter, r *http.Request) {
	if h.o.Replay == nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "this process cannot replay runs"})
		return
	}
	var req struct {
		WorkflowID string `json:"workflow_id"`
	}
	if err := decodeJSON(w, r, maxReplayBody, &req); err != nil || strings.TrimSpace(req.WorkflowID) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `send {"workflow_id": "TRIGGER/EVENT_ID"} as JSON`})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	msg, err := h.o.Replay(ctx, req.WorkflowID)
	if err != nil {
		h.o.Logger.Warn("dashboard replay refused", "workflow_id", req.WorkflowID, "error", err)
		writeJSON(w, http.StatusConflict, map[string]string{"error": err.Error(), "workflow_id": req.WorkflowID})
		return
	}
	h.o.Logger.Info("dashboard replay", "workflow_id", req.WorkflowID)
	h.failed.forget()
	writeJSON(w, http.StatusOK, map[string]string{"message": msg, "workflow_id": req.WorkflowID})
}

func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	return json.NewDecoder(http.MaxBytesReader(w, r.Body, limit)).Decode(v)
}
