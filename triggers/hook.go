package triggers

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers/verify"
	"github.com/hookflow/hookflow/workflows"
)

// accepted is the 202 answer.
type accepted struct {
	Started
	UIURL string `json:"ui_url,omitempty"`
}

func (s *Server) handleHook(c *gin.Context) {
	name := c.Param("trigger")
	log := s.deps.Logger.With("trigger", name)
	in, err := s.admit(c, name)
	if err != nil {
		log.Info("webhook rejected", "status", status(err), "reason", err.Error())
		writeError(c, err)
		return
	}
	started, err := s.deps.Starter.Start(c.Request.Context(), in)
	if err != nil {
		log.Error("start workflow", "event_id", in.Event.Event.ID, "error", err)
		writeError(c, err)
		return
	}
	log.Info("webhook accepted", "event_id", in.Event.Event.ID, "workflow_id", started.WorkflowID, "duplicate", started.Duplicate)
	c.JSON(http.StatusAccepted, accepted{Started: started, UIURL: RunURL(s.deps.UIBase, s.deps.Namespace, started.WorkflowID, started.RunID)})
}

// admit runs every check at the door and builds the workflow input. Any
// error rejects the request before anything is started.
func (s *Server) admit(c *gin.Context, name string) (workflows.Input, error) {
	t, ok := s.deps.Triggers.Get(name)
	if !ok {
		return workflows.Input{}, reject(http.StatusNotFound, fmt.Sprintf("unknown trigger %q (configured: %s)", name, strings.Join(s.deps.Triggers.Names(), ", ")))
	}
	r := c.Request
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, t.BodyLimit))
	if err != nil {
		return workflows.Input{}, err
	}
	now := s.deps.Now()
	if err := t.verifier.Verify(verify.Request{Method: r.Method, URL: requestURL(r), Header: r.Header, Body: body}, now); err != nil {
		return workflows.Input{}, err
	}
	payload, err := decodeJSON(body)
	if err != nil {
		return workflows.Input{}, err
	}
	if fields := t.schema.Validate(payload); len(fields) > 0 {
		return workflows.Input{}, &requestError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf("payload fails the trigger's schema in %d field(s)", len(fields)), fields: fields}
	}
	headers := eventHeaders(r.Header, t.Verify.Header)
	id, err := t.eventID(headers, payload, body)
	if err != nil {
		return workflows.Input{}, reject(http.StatusBadRequest, err.Error())
	}
	typ, err := t.eventType(headers, payload)
	if err != nil {
		return workflows.Input{}, reject(http.StatusBadRequest, err.Error())
	}
	return workflows.Input{Event: rules.Input{
		Event:   rules.Event{ID: id, Type: typ, Trigger: name, ReceivedAt: now.UTC()},
		Headers: headers,
		Payload: payload,
	}}, nil
}

func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, reject(http.StatusBadRequest, "body is empty; send a JSON document")
	}
	v, err := rules.DecodeJSON(body)
	if err != nil {
		return nil, reject(http.StatusBadRequest, "body is not valid JSON: "+err.Error())
	}
	return v, nil
}

// requestURL is the URL as the sender addressed it (HubSpot signs it).
func requestURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		scheme = p
	}
	return scheme + "://" + r.Host + r.URL.RequestURI()
}

// eventHeaders are the headers rules see: lower-cased, first value, and
// without credentials or signatures, which must not enter workflow history.
func eventHeaders(h http.Header, signatureHeader string) map[string]string {
	out := make(map[string]string, len(h))
	sig := strings.ToLower(signatureHeader)
	for k, v := range h {
		lk := strings.ToLower(k)
		if len(v) == 0 || sensitiveHeader(lk) || lk == sig {
			continue
		}
		out[lk] = v[0]
	}
	return out
}

func sensitiveHeader(lk string) bool {
	switch lk {
	case "authorization", "proxy-authorization", "cookie", "x-api-key":
		return true
	}
	return strings.Contains(lk, "signature") || strings.Contains(lk, "hmac") || strings.Contains(lk, "token")
}
