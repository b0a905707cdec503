// Package pipedrive is the Pipedrive CRM kind: persons found or created by
// email, deals created and updated, through API v2 with the API token in
// the x-api-token header.
//
// Checked against https://developers.pipedrive.com/docs/api/v2 (Persons:
// addPerson, searchPersons; Deals: addDeal, updateDeal),
// https://pipedrive.readme.io/docs/core-api-concepts-authentication and
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting, on
// 2026-11-29. The v1 persons and deals endpoints are deprecated (since
// 2026-01-01) and out of support (since 2026-08-01).
package pipedrive

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is Pipedrive's API host, used when neither
// company_domain nor base_url is set.
const DefaultBaseURL = "https://api.pipedrive.com"

// Config is the spec of `kind: pipedrive`:
//
//	deals:
//	  kind: pipedrive
//	  api_token: ${PIPEDRIVE_API_TOKEN}
//	  company_domain: acme                  # optional: https://acme.pipedrive.com
//	  base_url: https://proxy.example       # optional instead: proxies, tests
type Config struct {
	APIToken      string `yaml:"api_token"`
	CompanyDomain string `yaml:"company_domain"`
	BaseURL       string `yaml:"base_url"`
}

var domainRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

var _ integrations.Constructor = New

// New builds a Pipedrive integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	raw := c.BaseURL
	switch {
	case c.CompanyDomain != "" && c.BaseURL != "":
		p.Field("company_domain", "company_domain and base_url: give one")
	case c.CompanyDomain != "" && !domainRE.MatchString(c.CompanyDomain):
		p.Field("company_domain", "company_domain must be the part before .pipedrive.com, e.g. acme")
	case c.CompanyDomain != "":
		raw = "https://" + c.CompanyDomain + ".pipedrive.com"
	}
	base := p.Base(raw, DefaultBaseURL, "", false)
	p.Credential("api_token", c.APIToken, "the API token of the Pipedrive user to act as, e.g. ${PIPEDRIVE_API_TOKEN}")
	if err := p.Err(); err != nil {
		return nil, err
	}
	// Every operation is below /api/v2, on api.pipedrive.com and on a
	// company domain alike.
	v2, _ := url.Parse(integrations.URL(base, "api", "v2"))
	api := &integrations.API{Base: v2, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"create_person":         createPerson,
			"find_person":           findPerson,
			"find_or_create_person": findOrCreatePerson,
			"create_deal":           createDeal,
			"update_deal":           updateDeal,
		}),
		Auth:    integrations.HeaderAuth("x-api-token", integrations.StaticToken(c.APIToken)),
		Secrets: []string{c.APIToken},
	}, nil
}

// customFields puts with.fields (custom fields by their key) under
// custom_fields, as API v2 takes them.
func customFields(w *integrations.In, body map[string]any) error {
	extra, err := w.Map("fields")
	if err != nil || len(extra) == 0 {
		return err
	}
	body["custom_fields"] = extra
	return nil
}

// ids copies numeric id fields into body.
func ids(w *integrations.In, body map[string]any, fields ...string) error {
	for _, f := range fields {
		if !w.Has(f) {
			continue
		}
		id, err := w.Int(f)
		if err != nil {
			return err
		}
		body[f] = id
	}
	return nil
}

// number reads a number or numeric string as a JSON number, exactly.
func number(w *integrations.In, field string) (json.Number, error) {
	s, ok := integrations.Scalar(w.With[field])
	if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); !ok || err != nil {
		return "", fmt.Errorf("with.%s must be a number or a numeric string, got %s", field, integrations.Describe(w.With[field]))
	}
	return json.Number(strings.TrimSpace(s)), nil
}

// output reads {"success": true, "data": {"id": 123, …}} into the id and
// the named keys.
func output(keys ...string) func(*integrations.Response) (any, error) {
	return func(r *integrations.Response) (any, error) {
		var res struct {
			Success bool           `json:"success"`
			Error   string         `json:"error"`
			Data    map[string]any `json:"data"`
		}
		if err := integrations.DecodeJSON(r, &res); err != nil {
			return nil, err
		}
		if !res.Success || res.Data == nil {
			msg := res.Error
			if msg == "" {
				msg = "no data in the answer"
			}
			return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d: Pipedrive: %s", r.Status, msg)}
		}
		out := map[string]any{"id": id(res.Data["id"])}
		for _, k := range keys {
			out[k] = res.Data[k]
		}
		return out, nil
	}
}

// id is a Pipedrive id as an integer.
func id(v any) any {
	if f, ok := v.(float64); ok {
		return int64(f)
	}
	return v
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
