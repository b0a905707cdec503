// Package shopify is the Shopify kind: order tags and notes and inventory
// adjustments through the Admin GraphQL API, with an Admin API access token.
//
// Checked against https://shopify.dev/docs/api/admin-graphql (2025-07):
// tagsAdd, orderUpdate, inventoryAdjustQuantities, and
// https://shopify.dev/docs/api/usage/limits for THROTTLED.
package shopify

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultAPIVersion is the Admin API version the operations are written
// against. Shopify supports each stable version for at least a year.
const DefaultAPIVersion = "2025-07"

// Config is the spec of `kind: shopify`:
//
//	shop:
//	  kind: shopify
//	  base_url: https://acme.myshopify.com   # required: the shop's admin domain
//	  token: ${SHOPIFY_TOKEN}                # Admin API access token (shpat_…)
//	  api_version: "2025-07"                 # optional
type Config struct {
	BaseURL    string `yaml:"base_url"`
	Token      string `yaml:"token"`
	APIVersion string `yaml:"api_version"`
}

var versionRE = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

var _ integrations.Constructor = New

// New builds a Shopify integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	var base *url.URL
	if c.BaseURL == "" {
		problems.Field("base_url", "is required: the shop's admin URL, e.g. https://acme.myshopify.com")
	} else {
		var err error
		if base, err = integrations.BaseURL(node, c.BaseURL, ""); err != nil {
			problems.Add(err)
		}
	}
	switch {
	case c.Token == "":
		problems.Field("token", "is required (an Admin API access token, e.g. ${SHOPIFY_TOKEN})")
	case integrations.CheckHeader("X-Shopify-Access-Token", c.Token) != nil:
		problems.Field("token", "must not contain control characters such as a line break")
	}
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	} else if !versionRE.MatchString(c.APIVersion) {
		problems.Field("api_version", "must be a Shopify API version such as %s", DefaultAPIVersion)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	g := &graphql{endpoint: integrations.URL(base, "admin", "api", c.APIVersion, "graphql.json"), token: c.Token}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{
			"tag_order":        &tagOrder{g},
			"add_order_note":   &addOrderNote{g},
			"adjust_inventory": &adjustInventory{g},
		},
		Secrets: []string{c.Token},
	}, nil
}

// graphql is the one endpoint every operation posts to.
type graphql struct {
	endpoint string
	token    string
}

func (g *graphql) request(query string, variables map[string]any) (*integrations.Request, error) {
	h := http.Header{}
	h.Set("X-Shopify-Access-Token", g.token)
	return integrations.JSONRequest(http.MethodPost, g.endpoint, h, map[string]any{"query": query, "variables": variables})
}

// gid turns an id from a payload (5678, "5678" or
// "gid://shopify/Order/5678") into the GraphQL global id of kind.
func gid(w integrations.With, field, kind string) (string, error) {
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
