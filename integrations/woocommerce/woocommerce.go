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
//
// Basic auth sends the key in every request, so base_url must be https
// (plain http only to this machine, for tests and local proxies).
type Config struct {
	BaseURL        string `yaml:"base_url"`
	ConsumerKey    string `yaml:"consumer_key"`
	ConsumerSecret string `yaml:"consumer_secret"`
}

var _ integrations.Constructor = New

// New builds a WooCommerce integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	var base *url.URL
	if c.BaseURL == "" {
		problems.Field("base_url", "is required: the store's site URL, e.g. https://shop.example")
	} else if u, err := integrations.BaseURL(node, c.BaseURL, ""); err != nil {
		problems.Add(err)
	} else if u.Scheme != "https" && !integrations.Loopback(u) {
		problems.Field("base_url", "must be https: the consumer key is sent with every request")
	} else {
		base = u
	}
	if c.ConsumerKey == "" {
		problems.Field("consumer_key", "is required (ck_…, e.g. ${WC_CONSUMER_KEY})")
	}
	if c.ConsumerSecret == "" {
		problems.Field("consumer_secret", "is required (cs_…, e.g. ${WC_CONSUMER_SECRET})")
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	auth := integrations.BasicAuth(c.ConsumerKey, c.ConsumerSecret)
	a := &api{base: base, auth: auth}
	return &integrations.Integration{
		Operations: map[string]integrations.Operation{
			"update_order": &updateOrder{a},
			"update_stock": &updateStock{a},
		},
		Secrets: integrations.Secrets(c.ConsumerSecret, c.ConsumerKey, strings.TrimPrefix(auth, "Basic ")),
	}, nil
}

type api struct {
	base *url.URL
	auth string
}

// put sends body to /wp-json/wc/v3/{path…}.
func (a *api) put(body any, path ...string) (*integrations.Request, error) {
	h := http.Header{}
	h.Set("Authorization", a.auth)
	return integrations.JSONRequest(http.MethodPut, integrations.URL(a.base, append([]string{"wp-json", "wc", "v3"}, path...)...), h, body)
}

// decode reads the updated resource.
func decode(r *integrations.Response) (map[string]any, error) {
	var m map[string]any
	if err := integrations.DecodeJSON(r, &m); err != nil {
		return nil, err
	}
	if id, ok := m["id"].(float64); ok {
		m["id"] = int64(id)
	}
	return m, nil
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
	if r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden {
		e.Message += " (check the integration's consumer_key and consumer_secret: the key needs Read/Write permission)"
	}
	return e
}
