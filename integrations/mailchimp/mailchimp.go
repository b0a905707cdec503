// Package mailchimp is the Mailchimp kind: audience (list) members added
// or updated by email, with tags, through the Marketing API 3.0. Chosen
// over Klaviyo for "tag a buyer": tags are a first-class part of a
// Mailchimp member, and a member's URL is the MD5 of its lower-cased
// address, so add-or-update is one idempotent PUT; Klaviyo has no member
// tags (it segments by profile properties and lists).
//
// Checked on 2026-11-29 against
// https://mailchimp.com/developer/marketing/api/list-members/ (add or
// update a list member, get member info),
// https://mailchimp.com/developer/marketing/api/list-member-tags/ (add or
// remove member tags: 204 No Content),
// https://mailchimp.com/developer/marketing/docs/fundamentals/ (the
// datacenter in the API key; basic auth) and
// https://mailchimp.com/developer/marketing/docs/errors/ (API 3.0).
package mailchimp

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is the spec of `kind: mailchimp`:
//
//	newsletter:
//	  kind: mailchimp
//	  api_key: ${MAILCHIMP_API_KEY}      # …-us21: the key ends in its datacenter
//	  list_id: a1b2c3d4e5                # optional: the audience every step uses by default
//	  base_url: https://us21.api.mailchimp.com/3.0   # optional: from the key; proxies, tests
type Config struct {
	APIKey  string `yaml:"api_key"`
	ListID  string `yaml:"list_id"`
	BaseURL string `yaml:"base_url"`
}

var dcRE = regexp.MustCompile(`^[a-z]+[0-9]+$`)

var _ integrations.Constructor = New

// New builds a Mailchimp integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	p.Credential("api_key", c.APIKey, "a Marketing API key, e.g. ${MAILCHIMP_API_KEY}")
	def := ""
	if _, dc, ok := strings.Cut(c.APIKey, "-"); ok && dcRE.MatchString(dc) {
		def = "https://" + dc + ".api.mailchimp.com/3.0"
	} else if c.APIKey != "" && c.BaseURL == "" {
		p.Field("api_key", "must end in its datacenter, such as -us21, as Mailchimp shows it (or set base_url)")
	}
	base := p.Base(c.BaseURL, def, "https://us21.api.mailchimp.com/3.0", true)
	if err := p.Err(); err != nil {
		return nil, err
	}
	api := &integrations.API{Base: base, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"upsert_member": upsertMember(c.ListID),
			"find_member":   findMember(c.ListID),
		}),
		// Any user name will do; the key is the password.
		Auth:    integrations.Basic("hookflow", integrations.StaticToken(c.APIKey)),
		Secrets: []string{c.APIKey},
	}, nil
}

// member fills the path's {list_id} and {subscriber_hash} from with.list_id
// (or the integration's) and with.email, and returns the address.
func member(in *integrations.In, defaultList string) (string, error) {
	list, err := in.OptID("list_id")
	if err != nil {
		return "", err
	}
	if list == "" {
		list = defaultList
	}
	if list == "" {
		return "", fmt.Errorf("with.list_id is required (or set list_id on the integration): the audience id from Audience settings")
	}
	email, err := in.String("email")
	if err != nil {
		return "", err
	}
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return "", fmt.Errorf("with.email must be an email address")
	}
	in.Params["list_id"] = list
	in.Params["subscriber_hash"] = SubscriberHash(email)
	return email, nil
}

// SubscriberHash is a member's id in its audience: the MD5 of the
// lower-cased address, in hex.
func SubscriberHash(email string) string {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

// memberOutput reads a member answer.
func memberOutput(r *integrations.Response) (map[string]any, error) {
	var m struct {
		ID            string `json:"id"`
		EmailAddress  string `json:"email_address"`
		UniqueEmailID string `json:"unique_email_id"`
		ContactID     string `json:"contact_id"`
		Status        string `json:"status"`
		ListID        string `json:"list_id"`
	}
	if err := integrations.DecodeJSON(r, &m); err != nil {
		return nil, err
	}
	return map[string]any{"id": m.ID, "email": m.EmailAddress, "status": m.Status, "unique_email_id": m.UniqueEmailID,
		"contact_id": m.ContactID, "list_id": m.ListID}, nil
}
