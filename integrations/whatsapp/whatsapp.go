// Package whatsapp is the WhatsApp kind: text and template messages
// through the WhatsApp Cloud API (the Graph API's
// /{version}/{phone_number_id}/messages), with a system user access token.
//
// Checked on 2026-11-29 against
// https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
// (text and template messages, the answer's contacts and messages),
// https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
// and https://developers.facebook.com/docs/graph-api/changelog (Graph API
// v26.0, 2026-07-29; v25.0 is available until 2028-07-29).
package whatsapp

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

const (
	// DefaultBaseURL is the Graph API's host.
	DefaultBaseURL = "https://graph.facebook.com"
	// APIVersion is the Graph API version in every path. Meta supports a
	// version for about two years after the next one is out; move it
	// after reading the changelog.
	APIVersion = "v26.0"
)

// Config is the spec of `kind: whatsapp`:
//
//	wa:
//	  kind: whatsapp
//	  token: ${WHATSAPP_TOKEN}             # a system user access token (whatsapp_business_messaging)
//	  phone_number_id: "106540352242922"   # the business number's id, not the number
//	  api_version: v26.0                   # optional: the pinned default
//	  base_url: https://graph.facebook.com # optional: proxies, tests
type Config struct {
	Token         string `yaml:"token"`
	PhoneNumberID string `yaml:"phone_number_id"`
	APIVersion    string `yaml:"api_version"`
	BaseURL       string `yaml:"base_url"`
}

var (
	versionRE = regexp.MustCompile(`^v[0-9]{2}\.0$`)
	idRE      = regexp.MustCompile(`^[0-9]{5,20}$`)
	phoneRE   = regexp.MustCompile(`^\+?[0-9]{6,15}$`)
)

var _ integrations.Constructor = New

// New builds a WhatsApp integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, DefaultBaseURL, "", true)
	p.Credential("token", c.Token, "a system user access token with whatsapp_business_messaging, e.g. ${WHATSAPP_TOKEN}")
	switch {
	case c.PhoneNumberID == "":
		p.Field("phone_number_id", "is required: the business phone number's id from WhatsApp Manager (digits, not the number itself)")
	case !idRE.MatchString(c.PhoneNumberID):
		p.Field("phone_number_id", "must be the phone number's id (digits) from WhatsApp Manager, not the number itself")
	}
	if c.APIVersion == "" {
		c.APIVersion = APIVersion
	} else if !versionRE.MatchString(c.APIVersion) {
		p.Field("api_version", "must be a Graph API version such as %s", APIVersion)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	versioned, _ := url.Parse(integrations.URL(base, c.APIVersion))
	api := &integrations.API{Base: versioned, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"send_text":     sendText(c.PhoneNumberID),
			"send_template": sendTemplate(c.PhoneNumberID),
		}),
		Auth:    integrations.Bearer(integrations.StaticToken(c.Token)),
		Secrets: []string{c.Token},
	}, nil
}

// message starts a message body to with.to, from the business number in
// with.phone_number_id or the integration's, which fills the path's one
// {phone_number_id} segment.
func message(in *integrations.In, defaultFrom, typ string) (map[string]any, error) {
	from, err := in.OptID("phone_number_id")
	if err != nil {
		return nil, err
	}
	if from == "" {
		from = defaultFrom
	}
	in.Params["phone_number_id"] = from
	raw, ok := integrations.Scalar(in.With["to"])
	to := strings.NewReplacer(" ", "", "-", "", ".", "", "(", "", ")", "").Replace(strings.TrimSpace(raw))
	if !ok || !phoneRE.MatchString(to) {
		return nil, fmt.Errorf("with.to must be the customer's phone number with country code, e.g. +4915112345678")
	}
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": typ}, nil
}

// sent reads {"messaging_product", "contacts": [{input, wa_id}],
// "messages": [{id, message_status}]}.
func sent(r *integrations.Response) (any, error) {
	var res struct {
		Contacts []struct {
			WaID string `json:"wa_id"`
		} `json:"contacts"`
		Messages []struct {
			ID     string `json:"id"`
			Status string `json:"message_status"`
		} `json:"messages"`
	}
	if err := integrations.DecodeJSON(r, &res); err != nil {
		return nil, err
	}
	if len(res.Messages) == 0 || res.Messages[0].ID == "" {
		return nil, &integrations.Error{Status: r.Status, Message: fmt.Sprintf("HTTP %d: WhatsApp accepted no message", r.Status)}
	}
	out := map[string]any{"id": res.Messages[0].ID, "message_status": res.Messages[0].Status, "wa_id": nil}
	if len(res.Contacts) > 0 {
		out["wa_id"] = res.Contacts[0].WaID
	}
	return out, nil
}
