// Package hubspot is the HubSpot CRM kind: contacts upserted by email, and
// deals and notes associated with them, through the CRM v3 objects API with
// a private app access token.
//
// Checked against https://developers.hubspot.com/docs/api/crm/contacts,
// .../crm/deals and .../crm/notes (CRM API v3).
package hubspot

import (
	"net/http"
	"net/url"
	"time"

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
	problems := integrations.NewProblems(node)
	base, err := integrations.BaseURL(node, c.BaseURL, DefaultBaseURL)
	if err != nil {
		problems.Add(err)
	}
	switch {
	case c.Token == "":
		problems.Field("token", "is required (a private app access token, e.g. ${HUBSPOT_TOKEN})")
	case integrations.CheckHeader("Authorization", c.Token) != nil:
		problems.Field("token", "must not contain control characters such as a line break")
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	api := &api{base: base, token: c.Token}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{
			"upsert_contact": &upsertContact{api},
			"create_deal":    &createDeal{api},
			"add_note":       &addNote{api: api, now: time.Now},
		},
		Secrets: []string{c.Token},
	}, nil
}

// api is what every operation shares: where and as whom to call.
type api struct {
	base  *url.URL
	token string
}

func (a *api) post(body any, path ...string) (*integrations.Request, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+a.token)
	return integrations.JSONRequest(http.MethodPost, integrations.URL(a.base, path...), h, body)
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
