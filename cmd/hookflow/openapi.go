package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/triggers/verify"
)

// The OpenAPI 3.1 document of hookflow's own HTTP API, built from the
// project in force: one POST /hooks/<name> per trigger with the headers its
// scheme signs with, the admin API's signals, health and status. Served at
// /openapi.json so Postman or Insomnia import the API in one step; a test
// keeps it and the routes in sync.

type obj = map[string]any

// openapiPath is the document's own route.
const openapiPath = "/openapi.json"

// openapiDoc is the document for the triggers in force, with server as its base URL.
func openapiDoc(set *triggers.Set, server string) obj {
	paths := obj{}
	for _, name := range set.Names() {
		t, _ := set.Get(name)
		paths["/hooks/"+name] = obj{"post": hookOperation(t)}
	}
	paths["/runs/{workflow_id}/signals/{name}"] = obj{"post": signalOperation()}
	paths["/healthz"] = obj{"get": obj{
		"operationId": "healthz", "tags": []string{"health"},
		"summary":   "liveness: 200 while the process runs",
		"responses": obj{"200": jsonResponse("alive", obj{"type": "object", "properties": obj{"status": obj{"const": "ok"}}})},
	}}
	paths["/readyz"] = obj{"get": obj{
		"operationId": "readyz", "tags": []string{"health"},
		"summary": "readiness: 200 only while Temporal answers and a worker polls",
		"responses": obj{
			"200": jsonResponse("ready", obj{"type": "object", "properties": obj{"status": obj{"const": "ready"}}}),
			"503": errorResponse("Temporal or the workers are not reachable"),
		},
	}}
	paths["/status"] = obj{"get": obj{
		"operationId": "status", "tags": []string{"health"},
		"summary":     "integration health from the health monitor (JSON; a page for browsers)",
		"description": "serve asks for the admin token (no admin.token: disabled); dev answers on loopback without it. Answers come from a snapshot at most 2 s old.",
		"security":    []obj{{"adminToken": []string{}}},
		"responses": obj{
			"401": errorResponse("missing or wrong admin token (serve)"),
			"404": errorResponse("disabled: serve without admin.token"),
			"200": obj{
				"description": "each integration's health-check state",
				"content": obj{
					"application/json": obj{"schema": obj{"type": "object", "properties": obj{
						"integrations": obj{"type": "object", "additionalProperties": obj{"type": "object"}},
						"note":         obj{"type": "string"},
					}}},
					"text/html": obj{"schema": obj{"type": "string"}},
				},
			}},
	}}
	paths[openapiPath] = obj{"get": obj{
		"operationId": "openapi", "tags": []string{"meta"},
		"summary":  "this document (serve asks for the admin token: it names every trigger)",
		"security": []obj{{"adminToken": []string{}}},
		"responses": obj{
			"200": jsonResponse("the OpenAPI document", obj{"type": "object"}),
			"401": errorResponse("missing or wrong admin token (serve)"),
			"404": errorResponse("serve without an admin token keeps the document to itself"),
		},
	}}
	return obj{
		"openapi": "3.1.0",
		"info": obj{
			"title":       "Hookflow webhooks",
			"version":     "1",
			"description": "The webhook endpoints of this Hookflow project (" + strings.Join(set.Names(), ", ") + "), its admin API, health and status. Each trigger verifies its own signature scheme: `hookflow send --print-curl TRIGGER FILE` prints a correctly signed request.",
		},
		"servers": []obj{{"url": server}},
		"paths":   paths,
		"components": obj{
			"securitySchemes": obj{"adminToken": obj{"type": "http", "scheme": "bearer", "description": "admin.token of hookflow.yaml"}},
			"schemas": obj{
				"Accepted": obj{"type": "object", "required": []string{"workflow_id", "run_id", "duplicate"}, "properties": obj{
					"workflow_id": obj{"type": "string", "description": "<trigger>/<event id>", "examples": []string{"shop-orders/msg_123"}},
					"run_id":      obj{"type": "string"},
					"duplicate":   obj{"type": "boolean", "description": "true when the event had already started this run (a retry, a replayed body)"},
					"ui_url":      obj{"type": "string", "format": "uri", "description": "the run in the Temporal Web UI"},
				}},
				"Error": obj{"type": "object", "required": []string{"error"}, "properties": obj{
					"error": obj{"type": "string", "description": "what went wrong and what to fix"},
					"fields": obj{"type": "array", "items": obj{"type": "object", "properties": obj{
						"field": obj{"type": "string"}, "tag": obj{"type": "string"}, "message": obj{"type": "string"},
					}}},
				}},
			},
		},
	}
}

// hookOperation is POST /hooks/<trigger>.
func hookOperation(t *triggers.Trigger) obj {
	params := []obj{}
	for _, h := range signedHeaders(t.Verify) {
		params = append(params, obj{"name": h, "in": "header", "required": true, "schema": obj{"type": "string"},
			"description": "set by the " + t.Verify.Scheme + " scheme"})
	}
	content := "application/json"
	if t.Body == triggers.BodyForm {
		content = "application/x-www-form-urlencoded"
	}
	op := obj{
		"operationId": "hook_" + strings.NewReplacer("-", "_", ".", "_").Replace(t.Name),
		"tags":        []string{"webhooks"},
		"summary":     "deliver an event to trigger " + t.Name,
		"description": fmt.Sprintf("Verified with scheme %s, then parsed, validated and started as a run; 202 once Temporal accepted it. A retry of the same event answers with the same run (\"duplicate\": true).", t.Verify.Scheme),
		"parameters":  params,
		"requestBody": obj{"required": true, "content": obj{content: obj{"schema": obj{"type": "object"}}}},
		"responses": obj{
			"202": jsonResponse("accepted: the run started (or had started: duplicate)", obj{"$ref": "#/components/schemas/Accepted"}),
			"400": errorResponse("the body is not what the trigger reads, or an event id or type is missing"),
			"401": errorResponse("signature verification failed"),
			"403": errorResponse("the sender's address is not in allow_ips"),
			"404": errorResponse("no such trigger"),
			"413": errorResponse("the body is larger than body_limit"),
			"422": errorResponse("the payload fails the trigger's schema; fields says which"),
			"429": obj{"description": "over the trigger's rate_limit", "headers": obj{"Retry-After": obj{"schema": obj{"type": "integer"}, "description": "seconds"}},
				"content": obj{"application/json": obj{"schema": obj{"$ref": "#/components/schemas/Error"}}}},
			"503": errorResponse("Temporal is not reachable: retry later"),
		},
	}
	return op
}

// signedHeaders are the header names a scheme's signature is sent in.
func signedHeaders(c verify.Config) []string {
	h, err := verify.Sign(c, verify.Request{Method: http.MethodPost, URL: "http://hookflow/hooks/t", Header: http.Header{}, Body: []byte("{}")}, "id", time.Now())
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func signalOperation() obj {
	return obj{
		"operationId": "signal", "tags": []string{"admin"},
		"summary":     "deliver a signal to a run waiting in wait_for",
		"description": "Refused unless the run waits for that signal. Enabled by admin.token in hookflow.yaml.",
		"security":    []obj{{"adminToken": []string{}}},
		"parameters": []obj{
			{"name": "workflow_id", "in": "path", "required": true, "schema": obj{"type": "string"}, "description": "URL-encoded, e.g. leads%2Fmsg_1"},
			{"name": "name", "in": "path", "required": true, "schema": obj{"type": "string"}},
		},
		"requestBody": obj{"content": obj{"application/json": obj{"schema": obj{"description": "the signal's payload"}}}},
		"responses": obj{
			"202": jsonResponse("delivered", obj{"type": "object", "properties": obj{"workflow_id": obj{"type": "string"}, "signal": obj{"type": "string"}}}),
			"400": errorResponse("bad path or payload"),
			"401": errorResponse("missing or wrong admin token"),
			"404": errorResponse("the admin API is disabled, or no such run"),
			"409": errorResponse("the run has finished, or does not wait for this signal; the error names what it waits for"),
			"413": errorResponse("the payload is larger than 1 MiB"),
			"503": errorResponse("Temporal did not answer: retry later"),
		},
	}
}

func jsonResponse(desc string, schema obj) obj {
	return obj{"description": desc, "content": obj{"application/json": obj{"schema": schema}}}
}

func errorResponse(desc string) obj {
	return jsonResponse(desc, obj{"$ref": "#/components/schemas/Error"})
}

// openapiHandler serves the document for the triggers in force (current
// follows hot reloads), with the base URL the caller used.
func openapiHandler(current func() *triggers.Set) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
			scheme = p
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(openapiDoc(current(), scheme+"://"+r.Host))
	})
}
