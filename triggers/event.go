package triggers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/hookflow/hookflow/rules"
)

// eventEnv is what event_id and event_type expressions see.
type eventEnv struct {
	Headers map[string]string `expr:"headers"`
	Payload any               `expr:"payload"`
}

func compileEventExpr(src string) (*vm.Program, error) {
	return expr.Compile(src, expr.Env(eventEnv{}), expr.MaxNodes(500))
}

// maxEventIDLen keeps workflow ids well inside Temporal's limits; longer ids are hashed.
const maxEventIDLen = 200

// eventID is the trigger's event_id expression, else the scheme's default
// (a delivery header or a payload field), else sha256 of the body.
func (t *Trigger) eventID(headers map[string]string, payload any, body []byte) (string, error) {
	header := t.defaults.EventIDHeader
	if alt := t.defaults.EventIDAltHeader; alt != "" && headers[strings.ToLower(header)] == "" {
		header = alt // svix-id: without it two messages with one body would merge
	}
	id, err := t.eval(t.idExpr, header, t.defaults.PayloadID, headers, payload)
	if err != nil {
		return "", fmt.Errorf("event_id: %w", err)
	}
	if id == "" {
		sum := sha256.Sum256(body)
		return "sha256-" + hex.EncodeToString(sum[:]), nil
	}
	if len(id) > maxEventIDLen {
		sum := sha256.Sum256([]byte(id))
		return "sha256-" + hex.EncodeToString(sum[:]), nil
	}
	return id, nil
}

func (t *Trigger) eventType(headers map[string]string, payload any) (string, error) {
	typ, err := t.eval(t.typeExpr, t.defaults.EventTypeHeader, t.defaults.PayloadType, headers, payload)
	if err != nil {
		return "", fmt.Errorf("event_type: %w", err)
	}
	return typ, nil
}

func (t *Trigger) eval(p *vm.Program, header, field string, headers map[string]string, payload any) (string, error) {
	if p != nil {
		out, err := expr.Run(p, eventEnv{Headers: headers, Payload: payload})
		if err != nil {
			return "", err
		}
		return scalarString(out), nil
	}
	if header != "" {
		if v := headers[strings.ToLower(header)]; v != "" {
			return v, nil
		}
	}
	if field != "" {
		if m, ok := payload.(map[string]any); ok {
			return scalarString(m[field]), nil
		}
	}
	return "", nil
}

// scalarString is a value as text, the way templates print it.
func scalarString(v any) string {
	s, err := rules.Format(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

// correlation is the trigger's correlate key for an event, "" when the
// trigger has none or the expression gives nothing.
func (t *Trigger) correlation(headers map[string]string, payload any) (string, error) {
	if t.corrExpr == nil {
		return "", nil
	}
	key, err := t.eval(t.corrExpr, "", "", headers, payload)
	if err != nil {
		return "", fmt.Errorf("correlate: %w", err)
	}
	return key, nil
}

// Event derives an event's id and type as the door does: from the trigger's
// expressions, else the scheme's defaults, else (for the id) sha256 of body.
// headers are as rules see them (EventHeaders). `hookflow test` uses it so
// rule tests see the ids production would.
func (t *Trigger) Event(headers map[string]string, payload any, body []byte) (id, typ string, err error) {
	if id, err = t.eventID(headers, payload, body); err != nil {
		return "", "", err
	}
	if typ, err = t.eventType(headers, payload); err != nil {
		return "", "", err
	}
	return id, typ, nil
}

// EventHeaders are the headers rules see of a request: lower-cased, first
// value, without credentials or the trigger's signature header.
func (t *Trigger) EventHeaders(h http.Header) map[string]string {
	return eventHeaders(h, t.Verify.Header)
}
