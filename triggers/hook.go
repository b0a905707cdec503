package triggers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/hookflow/hookflow/redact"
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
	a, err := s.admit(c, name)
	if err != nil {
		log.Info("webhook rejected", "status", status(err), "reason", err.Error())
		s.observeRejection(name, err)
		writeError(c, err)
		return
	}
	if challenge, ok := slackChallenge(a.trigger, a.in.Event.Payload); ok {
		log.Info("answered Slack's url_verification")
		answer(c, http.StatusOK, gin.H{"challenge": challenge})
		return
	}
	if s.deps.Planner != nil {
		plan, problems := s.deps.Planner.PlanFor(a.in.Event)
		for _, p := range problems {
			log.Warn("search attribute not set", "event_id", a.in.Event.Event.ID, "problem", p)
		}
		for _, r := range plan.Rules {
			if r.Error != "" {
				log.Warn("rule failed to match", "event_id", a.in.Event.Event.ID, "rule", r.Name, "error", r.Error)
			}
		}
		a.in.Plan = &plan
	}
	started, replayed, err := s.start(c.Request.Context(), a)
	if err != nil {
		s.startLog.log(log, a.in.Event.Event.ID, err)
		s.deps.Metrics.WebhookReceived(name, status(err))
		writeError(c, err)
		return
	}
	s.deps.Metrics.WebhookReceived(name, http.StatusAccepted)
	if !started.NoMatch {
		s.deps.Metrics.RunStarted(name, started.Duplicate || replayed)
	}
	switch {
	case started.NoMatch:
		log.Info("webhook accepted: no rule matched, recorded in the ledger", "event_id", a.in.Event.Event.ID, "workflow_id", started.WorkflowID)
	case replayed:
		log.Info("webhook body replayed: answered with the run it started first", "event_id", a.in.Event.Event.ID, "workflow_id", started.WorkflowID)
	default:
		log.Info("webhook accepted", "event_id", a.in.Event.Event.ID, "workflow_id", started.WorkflowID, "duplicate", started.Duplicate)
	}
	answer(c, http.StatusAccepted, accepted{Started: started, UIURL: RunURL(s.deps.UIBase, s.deps.Namespace, started.WorkflowID, started.RunID)})
}

// admission is a request that passed every check at the door.
type admission struct {
	trigger *Trigger
	body    []byte
	in      workflows.Input
}

// admit runs every check at the door and builds the workflow input. Any
// error rejects the request before anything is started. Checks that need no
// body (address, the address's failed verifications) come before the body
// is read; rate_limit counts only requests that passed verification.
func (s *Server) admit(c *gin.Context, name string) (admission, error) {
	cur := s.current()
	t, ok := cur.set.Get(name)
	if !ok {
		msg := fmt.Sprintf("unknown trigger %q", name)
		if s.deps.ListTriggers {
			msg += fmt.Sprintf(" (configured: %s)", strings.Join(cur.set.Names(), ", "))
		}
		return admission{}, reject(http.StatusNotFound, msg)
	}
	r := c.Request
	if err := checkRemote(t, r.RemoteAddr); err != nil {
		return admission{}, err
	}
	if err := checkBrowser(t, r); err != nil {
		return admission{}, err
	}
	now := s.deps.Now()
	if err := s.failures.check(r.RemoteAddr, now); err != nil {
		return admission{}, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, t.BodyLimit))
	if err != nil {
		s.failures.fail(r.RemoteAddr, now)
		return admission{}, err
	}
	if err := t.verifier.Verify(verify.Request{Method: r.Method, URL: requestURL(r), Header: r.Header, Body: body}, now); err != nil {
		s.failures.fail(r.RemoteAddr, now)
		return admission{}, err
	}
	// Only verified requests spend rate_limit.
	if err := cur.limiters.take(t, now); err != nil {
		return admission{}, err
	}
	payload, err := decodePayload(t.Body, r.Header.Get("Content-Type"), body)
	if err != nil {
		return admission{}, err
	}
	if fields := t.schema.Validate(payload); len(fields) > 0 {
		msg := fmt.Sprintf("payload fails the trigger's schema in %d field(s)", len(fields))
		if len(fields) > maxFieldErrors {
			// A 1 MB body of failing items must not get a 33 MB answer.
			msg += fmt.Sprintf("; the first %d are listed", maxFieldErrors)
			fields = fields[:maxFieldErrors]
		}
		return admission{}, &requestError{status: http.StatusUnprocessableEntity, msg: msg, fields: fields}
	}
	headers := eventHeaders(r.Header, t.Verify.Header)
	id, err := t.eventID(headers, payload, body)
	if err != nil {
		return admission{}, reject(http.StatusBadRequest, err.Error())
	}
	typ, err := t.eventType(headers, payload)
	if err != nil {
		return admission{}, reject(http.StatusBadRequest, err.Error())
	}
	key, err := t.correlation(headers, payload)
	if err != nil {
		return admission{}, reject(http.StatusBadRequest, err.Error())
	}
	return admission{trigger: t, body: body, in: workflows.Input{Correlation: key, Event: rules.Input{
		Event:   rules.Event{ID: id, Type: typ, Trigger: name, ReceivedAt: now.UTC()},
		Headers: headers,
		Payload: payload,
	}}}, nil
}

// start hands the event to the Starter. For a trigger with a dedupe_window a
// body seen before answers with the run it started (replayed is true).
func (s *Server) start(ctx context.Context, a admission) (started Started, replayed bool, err error) {
	begin := func() (Started, error) {
		if p := a.in.Plan; p != nil && len(p.Rules) == 0 && !p.Awaited && s.deps.Ledger != nil {
			// No rule wants the event and none waits for it: no run, a ledger entry.
			ev := a.in.Event.Event
			return s.deps.Ledger.Record(ctx, a.trigger.Name, workflows.NoMatchEntry{EventID: ev.ID, Type: ev.Type, ReceivedAt: ev.ReceivedAt, RulesVersion: p.Version})
		}
		return s.deps.Starter.Start(ctx, a.in)
	}
	if a.trigger.DedupeWindow <= 0 {
		started, err = begin()
		return started, false, err
	}
	return s.dedupe.do(ctx, bodyKey(a.trigger.Name, a.body), a.trigger.DedupeWindow, begin)
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
// without credentials or signatures (redact.Sensitive, the same list that
// keeps outbound credentials out of records), which must not enter workflow
// history.
func eventHeaders(h http.Header, signatureHeader string) map[string]string {
	out := make(map[string]string, len(h))
	sig := strings.ToLower(signatureHeader)
	for k, v := range h {
		lk := strings.ToLower(k)
		if len(v) == 0 || redact.Sensitive(lk) || lk == sig {
			continue
		}
		out[lk] = v[0]
	}
	return out
}

// checkBrowser keeps browsers away from triggers that verify nothing: any
// web page can make a visitor's browser POST to any URL, with a body of a
// "simple" type (text/plain, forms) and no preflight. Browsers mark such
// requests with Origin or Sec-Fetch-Site; senders of webhooks do not. An
// unsigned trigger also needs the Content-Type of its body format.
func checkBrowser(t *Trigger, r *http.Request) error {
	if !strings.EqualFold(strings.TrimSpace(t.Verify.Scheme), "none") {
		return nil
	}
	site := strings.ToLower(r.Header.Get("Sec-Fetch-Site"))
	if r.Header.Get("Origin") != "" || (site != "" && site != "none" && site != "same-origin") {
		return reject(http.StatusForbidden, fmt.Sprintf("trigger %s verifies no signature, so it refuses requests made by web browsers; sign the requests and choose a verify scheme", t.Name))
	}
	if r.Header.Get("Content-Type") == "" {
		return reject(http.StatusUnsupportedMediaType, fmt.Sprintf("trigger %s verifies no signature, so it needs a Content-Type: send %s", t.Name, wantType(t.Body)))
	}
	return nil
}
