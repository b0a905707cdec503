// Package googlesheets is the google_sheets kind: append rows to a sheet
// and update a range of one through the Google Sheets API v4, with a
// service account's tokens from the shared OAuth layer.
//
// Checked on 2026-11-29 against
// https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets.values/append,
// .../spreadsheets.values/update, https://developers.google.com/workspace/sheets/api/limits
// and https://developers.google.com/identity/protocols/oauth2/service-account.
package googlesheets

import (
	"net/url"
	"regexp"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Scope is what the operations need: read and write spreadsheets.
const Scope = "https://www.googleapis.com/auth/spreadsheets"

// Config is the spec of `kind: google_sheets`:
//
//	sheet:
//	  kind: google_sheets
//	  spreadsheet_id: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms   # optional: the default for every call
//	  oauth:
//	    service_account: ${GOOGLE_SERVICE_ACCOUNT_JSON}   # the key file's JSON; share the sheet with its client_email
//	  base_url: https://sheets.googleapis.com            # default
//
// oauth takes jwt_bearer (a service account, the default; subject for
// domain-wide delegation) or refresh_token (a user's consent).
type Config struct {
	BaseURL       string                    `yaml:"base_url"`
	SpreadsheetID string                    `yaml:"spreadsheet_id"`
	OAuth         *integrations.OAuthConfig `yaml:"oauth"`
}

// spreadsheetRE is a spreadsheet id, as in its URL
// (docs.google.com/spreadsheets/d/{id}/edit).
var spreadsheetRE = regexp.MustCompile(`^[A-Za-z0-9_-]{10,}$`)

var _ integrations.Constructor = New

// New builds a Google Sheets integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, "https://sheets.googleapis.com", "", true)
	if c.SpreadsheetID != "" && !spreadsheetRE.MatchString(c.SpreadsheetID) {
		p.Field("spreadsheet_id", "must be a spreadsheet id, the part of its URL after /spreadsheets/d/")
	}
	var token *integrations.OAuth
	if c.OAuth == nil {
		p.Field("oauth", "is required: a service account, e.g. oauth: {service_account: ${GOOGLE_SERVICE_ACCOUNT_JSON}}")
	} else {
		token = p.OAuth(c.OAuth, integrations.OAuthKind{
			Grants: []string{integrations.JWTBearer, integrations.RefreshToken},
			// A service account key names its own token_uri; this is for
			// refresh_token.
			TokenURL: "https://oauth2.googleapis.com/token",
			Scopes:   []string{Scope},
		})
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	v4, _ := url.Parse(integrations.URL(base, "v4"))
	api := &integrations.API{Base: v4, Errors: classify}
	s := &sheets{spreadsheet: c.SpreadsheetID}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"append_rows": s.appendRows(),
			"update_rows": s.updateRows(),
		}),
		Auth:    integrations.Bearer(token),
		Secrets: token.Secrets(),
	}, nil
}

// sheets is the configured default spreadsheet, shared by the operations.
type sheets struct{ spreadsheet string }
