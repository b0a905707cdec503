package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/triggers/verify"
)

// A dev loop re-sends one sample file after each rule edit, and the door
// rightly answers a body or an event id it has seen with the run it started
// ("duplicate": true). send --fresh makes the event new the way a provider's
// next event would be, and send explains a duplicate answer either way.

// payloadPathRE is an event_id that is a plain payload field, which --fresh can change.
var payloadPathRE = regexp.MustCompile(`^payload((?:\.[A-Za-z_][A-Za-z0-9_]*)+)$`)

// eventIDSource is where the trigger reads the event id from the payload,
// "" when it comes from a header (the delivery id send sets with --id).
func eventIDSource(t *triggers.Trigger) string {
	if t.EventID != "" {
		return t.EventID
	}
	if d := verify.SchemeDefaults(t.Verify); d.EventIDHeader == "" && d.PayloadID != "" {
		return "payload." + d.PayloadID
	}
	return ""
}

// freshen returns ev as a new event: the payload field the event id comes
// from gets a unique value, and otherwise (for the body dedupe) the JSON gets
// trailing whitespace, which changes its bytes but not its payload.
func freshen(t *triggers.Trigger, ev event) (event, string, error) {
	if ev.contentType == formContentType {
		if t.DedupeWindow > 0 || eventIDSource(t) != "" {
			return ev, "", fmt.Errorf("--fresh: a form body cannot be made new without changing a field; edit FILE")
		}
		return ev, "", nil
	}
	if src := eventIDSource(t); src != "" {
		m := payloadPathRE.FindStringSubmatch(src)
		if m == nil {
			return ev, "", fmt.Errorf("--fresh: the event id comes from %q, which --fresh cannot change; edit the event id in FILE", src)
		}
		body, field, err := replaceField(ev.body, strings.Split(m[1][1:], "."))
		if err != nil {
			return ev, "", fmt.Errorf("--fresh: %s: %w", src, err)
		}
		ev.body = body
		return ev, fmt.Sprintf("fresh event: %s is %s\n", src, field), nil
	}
	var ws bytes.Buffer
	ws.WriteByte('\n')
	for _, b := range randomBytes(8) {
		for i := range 8 {
			ws.WriteByte(" \t"[b>>i&1])
		}
	}
	ev.body = append(bytes.TrimRight(ev.body, " \t\r\n"), ws.Bytes()...)
	return ev, "", nil
}

// replaceField gives the field at path a unique value of the same type.
func replaceField(body []byte, path []string) ([]byte, string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, "", fmt.Errorf("payload is not JSON: %w", err)
	}
	obj, ok := doc.(map[string]any)
	for i, k := range path {
		if !ok {
			return nil, "", fmt.Errorf("payload has no object at %s", strings.Join(path[:i], "."))
		}
		if i < len(path)-1 {
			obj, ok = obj[k].(map[string]any)
			continue
		}
		var fresh any
		switch v := obj[k].(type) {
		case json.Number:
			n, _ := rand.Int(rand.Reader, big.NewInt(1<<53))
			fresh = json.Number(n.String())
		case string:
			fresh = v + "_" + randomID()[len("msg_"):]
		default:
			fresh = randomID()
		}
		obj[k] = fresh
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			return nil, "", err
		}
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), fmt.Sprint(fresh), nil
	}
	return nil, "", fmt.Errorf("empty path")
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// duplicateHint says why the door answered "duplicate": true and how to
// send a new event instead.
func duplicateHint(t *triggers.Trigger, sentID, workflowID string, fresh bool) string {
	switch src := eventIDSource(t); {
	case src == "" && workflowID == triggers.WorkflowID(t.Name, sentID):
		return fmt.Sprintf("duplicate: delivery id %s already started %s, so no new run started (a provider's retry looks like this); leave out --id, or add --fresh, to send a new event", sentID, workflowID)
	case src != "" && fresh:
		return fmt.Sprintf("duplicate: trigger %s takes the event id from %s and %s already ran, so no new run started; change the id in the event file", t.Name, src, workflowID)
	case src != "":
		return fmt.Sprintf("duplicate: trigger %s takes the event id from %s and %s already ran, so no new run started; add --fresh to send it with a new id", t.Name, src, workflowID)
	case t.DedupeWindow > 0:
		return fmt.Sprintf("duplicate: trigger %s remembers bodies for %s (dedupe_window) and this body was sent before, so the answer is the run it started (%s); add --fresh to send the same payload as a new event, or lower dedupe_window while developing", t.Name, t.DedupeWindow, workflowID)
	}
	return fmt.Sprintf("duplicate: %s already ran, so no new run started", workflowID)
}
