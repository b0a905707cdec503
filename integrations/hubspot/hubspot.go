// Package hubspot is the HubSpot CRM kind: contacts upserted by email, and
// deals and notes associated with them, through the CRM v3 objects API with
// a private app access token.
//
// Checked against https://developers.hubspot.com/docs/api/crm/contacts,
// .../crm/deals and .../crm/notes (CRM API v3).
package hubspot

import (
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultBaseURL is HubSpot's API host (EU accounts use the same host).
const DefaultBaseURL = "https://api.hubapi.com"

// Config is the spec of `kind: hubspot` (beside the shared kind, timeout
// and retry):
//
//	crm:
//	  kind: hubspot
//	  token: ${HUBSPOT_TOKEN}        # private app access token
//	  base_url: https://api.hubapi.com   # optional: proxies, tests
type Config struct {
	BaseURL string `yaml:"base_url"`
	Token   string `yaml:"token"`
}

var _ integrations.Constructor = New

// New builds a HubSpot integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, DefaultBaseURL, "", false)
	p.Credential("token", c.Token, "a private app access token, e.g. ${HUBSPOT_TOKEN}")
	if err := p.Err(); err != nil {
		return nil, err
	}
	api := &integrations.API{Base: base, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"upsert_contact": upsertContact,
			"create_deal":    createDeal,
			"add_note":       addNote,
			"find_contact":   findContact,
			"find_deal":      findDeal,
			"update_deal":    updateDeal,
		}),
		Auth:    integrations.Bearer(integrations.StaticToken(c.Token)),
		Secrets: []string{c.Token},
	}, nil
}

// Association type ids HubSpot defines (associationCategory HUBSPOT_DEFINED).
const (
	dealToContact = 3
	noteToContact = 202
)

type association struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []associationType `json:"types"`
}

type associationType struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

func associate(id string, typeID int) []association {
	a := association{Types: []associationType{{Category: "HUBSPOT_DEFINED", TypeID: typeID}}}
	a.To.ID = id
	return []association{a}
}

// object is a CRM record as HubSpot returns it.
type object struct {
	ID         string         `json:"id"`
	Properties map[string]any `json:"properties"`
	CreatedAt  string         `json:"createdAt"`
	UpdatedAt  string         `json:"updatedAt"`
	New        *bool          `json:"new,omitempty"` // batch upsert only
}

// output is what a step sees: the record id and its properties.
func (o object) output() map[string]any {
	out := map[string]any{"id": o.ID, "properties": o.Properties}
	if o.CreatedAt != "" {
		out["created_at"] = o.CreatedAt
	}
	if o.UpdatedAt != "" {
		out["updated_at"] = o.UpdatedAt
	}
	return out
}

// record reads one object answer.
func record(r *integrations.Response) (any, error) {
	var o object
	if err := integrations.DecodeJSON(r, &o); err != nil {
		return nil, err
	}
	return o.output(), nil
}

// scope names the private app scope a 403 of the operation asks for.
func scope(s string) func(*integrations.Response, *integrations.Error) *integrations.Error {
	return func(r *integrations.Response, e *integrations.Error) *integrations.Error {
		if r.Status == 403 {
			e.Message += " (check the private app's scopes: this call needs " + s + ")"
		}
		return e
	}
}
