// Package shopify is the Shopify kind: order tags and notes, order and
// customer reads, and inventory adjustments through the Admin GraphQL API,
// with tokens fetched by the client credentials grant (Dev Dashboard apps)
// or a static Admin API access token (legacy custom apps).
//
// Checked against https://shopify.dev/docs/api/admin-graphql (2025-07):
// tagsAdd, orderUpdate, inventoryAdjustQuantities, and
// https://shopify.dev/docs/api/usage/limits for THROTTLED, and
// https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant.
package shopify

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultAPIVersion is the Admin API version the operations are written
// and tested against.
//
// The upgrade rule: Shopify releases a stable version each quarter
// (January, April, July, October) and supports it for 12 months; a request
// for an unsupported version is served by the oldest supported one, with
// its breaking changes. So the default is moved to the newest stable
// version at least every two quarters, after checking the operations'
// mutations in its release notes, and never falls more than 9 months
// behind; api_version pins another, and New refuses one past its window.
const DefaultAPIVersion = "2026-10"

// supportMonths is how long Shopify supports a stable version.
const supportMonths = 12

// Config is the spec of `kind: shopify`:
//
//	shop:
//	  kind: shopify
//	  base_url: https://acme.myshopify.com   # required: the shop's admin domain
//	  oauth:                                 # a Dev Dashboard app: 24-hour tokens, fetched and renewed
//	    client_id: ${SHOPIFY_CLIENT_ID}
//	    client_secret: ${SHOPIFY_CLIENT_SECRET}
//	  # or a legacy custom app's static Admin API access token (shpat_…):
//	  # token: ${SHOPIFY_TOKEN}
//	  api_version: "2026-10"                 # optional
type Config struct {
	BaseURL    string                    `yaml:"base_url"`
	Token      string                    `yaml:"token"`
	OAuth      *integrations.OAuthConfig `yaml:"oauth"`
	APIVersion string                    `yaml:"api_version"`
}

var versionRE = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

var _ integrations.Constructor = New

// New builds a Shopify integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, "", "the shop's admin URL, e.g. https://acme.myshopify.com", false)
	// Dev Dashboard apps (the only custom apps since 2026-01-01) get
	// 24-hour tokens by the client credentials grant, from the shop itself.
	oauth := integrations.OAuthKind{Grants: []string{integrations.ClientCredentials}, AuthStyle: "params"}
	if base != nil {
		oauth.TokenURL = integrations.URL(base, "admin", "oauth", "access_token")
	}
	token, secrets := p.Token("token", c.Token, c.OAuth, oauth, "an Admin API access token, e.g. ${SHOPIFY_TOKEN}")
	switch {
	case c.APIVersion == "":
		c.APIVersion = DefaultAPIVersion
	case !versionRE.MatchString(c.APIVersion):
		p.Field("api_version", "must be a Shopify API version such as %s", DefaultAPIVersion)
	case unsupported(c.APIVersion, now()):
		p.Field("api_version", "api_version %s is past Shopify's support window (%d months from its release); use %s", c.APIVersion, supportMonths, DefaultAPIVersion)
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	// Every operation posts to the one GraphQL endpoint.
	endpoint, _ := url.Parse(integrations.URL(base, "admin", "api", c.APIVersion, "graphql.json"))
	api := &integrations.API{Base: endpoint, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"tag_order":        tagOrder,
			"add_order_note":   addOrderNote,
			"adjust_inventory": adjustInventory,
			"get_order":        getOrder,
			"get_customer":     getCustomer,
		}),
		Auth:    integrations.HeaderAuth("X-Shopify-Access-Token", token),
		Secrets: secrets,
	}, nil
}

// now is the clock New judges api_version's support window by.
var now = time.Now

// unsupported reports whether a stable version is past its support window.
func unsupported(version string, t time.Time) bool {
	released, err := time.Parse("2006-01", version)
	return err == nil && !t.Before(released.AddDate(0, supportMonths, 0))
}

// graphql is the body of a GraphQL request.
func graphql(query string, variables map[string]any) map[string]any {
	return map[string]any{"query": query, "variables": variables}
}

// gid turns an id from a payload (5678, "5678" or
// "gid://shopify/Order/5678") into the GraphQL global id of kind.
func gid(w *integrations.In, field, kind string) (string, error) {
	id, err := w.ID(field)
	if err != nil {
		return "", err
	}
	prefix := "gid://shopify/" + kind + "/"
	if rest, ok := strings.CutPrefix(id, prefix); ok && rest != "" && !strings.ContainsAny(rest, "/?#") {
		return id, nil
	}
	if strings.HasPrefix(id, "gid://") {
		return "", fmt.Errorf("with.%s must be a Shopify %s id (%s…), got an id of another type", field, kind, prefix)
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return "", fmt.Errorf("with.%s must be a numeric Shopify %s id or %s…", field, kind, prefix)
		}
	}
	return prefix + id, nil
}
