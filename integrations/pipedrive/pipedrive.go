// Package pipedrive is the Pipedrive CRM kind: create persons and deals
// through the v1 REST API, authenticated with the api_token query
// parameter.
//
// Checked against https://developers.pipedrive.com/docs/api/v1/Persons#addPerson,
// https://developers.pipedrive.com/docs/api/v1/Deals#addDeal and
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting.
package pipedrive

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is Pipedrive's API host; https://{company}.pipedrive.com
// works too.
const DefaultBaseURL = "https://api.pipedrive.com"

// Config is the spec of `kind: pipedrive`:
//
//	deals:
//	  kind: pipedrive
//	  api_token: ${PIPEDRIVE_API_TOKEN}
//	  base_url: https://acme.pipedrive.com   # optional
type Config struct {
	APIToken string `yaml:"api_token"`
	BaseURL  string `yaml:"base_url"`
}

var _ integrations.Constructor = New

// New builds a Pipedrive integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	base := problems.Base(c.BaseURL, DefaultBaseURL, "", false)
	problems.Credential("api_token", c.APIToken, "the API token of the Pipedrive user to act as, e.g. ${PIPEDRIVE_API_TOKEN}")
	if err := problems.Err(); err != nil {
		return nil, err
	}
	api := &integrations.API{Base: base, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"create_person": createPerson,
			"create_deal":   createDeal,
		}),
		Auth:    integrations.QueryAuth(integrations.QueryParam{Name: "api_token", Token: integrations.StaticToken(c.APIToken)}),
		Secrets: []string{c.APIToken},
	}, nil
}

// merge puts with.fields (custom fields by their key, and any other
// documented field) under the named fields, which win.
func merge(w *integrations.In, named map[string]any) (map[string]any, error) {
	extra, err := w.Map("fields")
	if err != nil {
		return nil, err
	}
	body := maps.Clone(extra)
	if body == nil {
		body = map[string]any{}
	}
	maps.Copy(body, named)
	return body, nil
}

// output reads {"success": true, "data": {"id": 123, …}} into the id and
// the named keys.
func output(keys ...string) func(*integrations.Response) (any, error) {
	return func(r *integrations.Response) (any, error) { return data(r, keys...) }
}

func data(r *integrations.Response, keys ...string) (any, error) {
	var res struct {
		Success bool           `json:"success"`
		Error   string         `json:"error"`
		Data    map[string]any `json:"data"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if !res.Success || res.Data == nil {
		return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d: Pipedrive: %s", r.Status, cmpOr(res.Error, "no data in the answer"))}
	}
	out := map[string]any{"id": res.Data["id"]}
	if f, ok := res.Data["id"].(float64); ok {
		out["id"] = int64(f)
	}
	for _, k := range keys {
		out[k] = res.Data[k]
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// classify points 401 at the token and reads x-ratelimit-reset (seconds
// until the window resets) on 429.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	switch r.Status {
	case http.StatusUnauthorized:
		e.Message += " (check the integration's api_token)"
	case http.StatusForbidden:
		e.Message += " (the api_token's user lacks permission for this)"
	case http.StatusTooManyRequests:
		if e.RetryAfter == 0 {
			if s, err := strconv.Atoi(r.Header.Get("X-Ratelimit-Reset")); err == nil && s > 0 && s < 86400 {
				e.RetryAfter = time.Duration(s) * time.Second
			}
		}
	}
	return e
}
