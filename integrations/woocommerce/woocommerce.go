// Package woocommerce is the WooCommerce kind: update orders and product
// stock through the WooCommerce REST API v3, authenticated with a consumer
// key and secret over HTTPS (HTTP basic auth).
//
// Checked against https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-https,
// #update-an-order, #update-a-product and #update-a-product-variation.
package woocommerce

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is the spec of `kind: woocommerce`:
//
//	store:
//	  kind: woocommerce
//	  base_url: https://shop.example          # required: the WordPress site
//	  consumer_key: ${WC_CONSUMER_KEY}        # ck_…, with Read/Write permission
//	  consumer_secret: ${WC_CONSUMER_SECRET}  # cs_…
//	  auth: basic                             # or query: for hosts that strip the Authorization header
//
// Basic auth sends the key in every request, so base_url must be https
// (plain http only to this machine, for tests and local proxies).
type Config struct {
	BaseURL        string `yaml:"base_url"`
	ConsumerKey    string `yaml:"consumer_key"`
	ConsumerSecret string `yaml:"consumer_secret"`
	Auth           string `yaml:"auth"`
}

var _ integrations.Constructor = New

// New builds a WooCommerce integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, "", "the store's site URL, e.g. https://shop.example", true)
	p.Credential("consumer_key", c.ConsumerKey, "ck_…, e.g. ${WC_CONSUMER_KEY}")
	p.Credential("consumer_secret", c.ConsumerSecret, "cs_…, e.g. ${WC_CONSUMER_SECRET}")
	auth := integrations.Basic(c.ConsumerKey, integrations.StaticToken(c.ConsumerSecret))
	switch c.Auth {
	case "", "basic":
	case "query":
		// WooCommerce's documented fallback for hosts that strip the
		// Authorization header; recorded URLs show both redacted.
		auth = integrations.QueryAuth(
			integrations.QueryParam{Name: "consumer_key", Token: integrations.StaticToken(c.ConsumerKey)},
			integrations.QueryParam{Name: "consumer_secret", Token: integrations.StaticToken(c.ConsumerSecret)})
	default:
		p.Field("auth", "must be basic (the default) or query (key and secret in the query string, for hosts that strip the Authorization header)")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	// Every operation is below /wp-json/wc/v3.
	v3, _ := url.Parse(integrations.URL(base, "wp-json", "wc", "v3"))
	api := &integrations.API{Base: v3, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"update_order":    updateOrder,
			"update_stock":    updateStock,
			"get_order":       getOrder,
			"add_order_note":  addOrderNote,
			"update_customer": updateCustomer,
		}),
		Auth:    auth,
		Secrets: integrations.Secrets(c.ConsumerSecret, c.ConsumerKey, strings.TrimPrefix(integrations.BasicAuth(c.ConsumerKey, c.ConsumerSecret), "Basic ")),
	}, nil
}

// fields maps a resource answer to the output: the named fields, whole
// numbers as integers.
func fields(names ...string) func(*integrations.Response) (any, error) {
	return func(r *integrations.Response) (any, error) {
		var m map[string]any
		if err := integrations.DecodeJSON(r, &m); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(names))
		for _, k := range names {
			out[k] = m[k]
			if f, ok := m[k].(float64); ok && f == math.Trunc(f) {
				out[k] = int64(f)
			}
		}
		return out, nil
	}
}

// classify puts WooCommerce's error code beside its message:
// {"code": "woocommerce_rest_shop_order_invalid_id", "message": "Invalid ID.", "data": {"status": 404}}.
func classify(r *integrations.Response, e *integrations.Error) *integrations.Error {
	var body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(r.Body, &body) == nil && body.Code != "" {
		e.Message = fmt.Sprintf("HTTP %d %s: %s: %s", r.Status, http.StatusText(r.Status), body.Code, strings.TrimSpace(body.Message))
	}
	switch {
	case body.Code == "woocommerce_rest_authentication_error" && strings.Contains(body.Message, "Consumer key is missing"):
		e.Message += " (this host drops the Authorization header: set auth: query on the integration)"
	case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
		e.Message += " (check the integration's consumer_key and consumer_secret: the key needs Read/Write permission)"
	}
	return e
}
