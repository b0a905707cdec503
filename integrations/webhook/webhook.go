// Package webhook is the generic outbound webhook kind: POST (or any method)
// a JSON body to a URL, optionally signed with Standard Webhooks.
package webhook

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// Config is a webhook integration in hookflow.yaml.
type Config struct {
	URL     string                   `yaml:"url"`
	Headers map[string]string        `yaml:"headers"`
	Timeout time.Duration            `yaml:"timeout"`
	Retry   integrations.RetryPolicy `yaml:"retry"`
	Sign    *SignConfig              `yaml:"sign"`
}

// SignConfig signs outbound requests; scheme standard is Standard Webhooks v1.
type SignConfig struct {
	Scheme string `yaml:"scheme"`
	Secret string `yaml:"secret"`
}

// Webhook is a configured webhook integration.
type Webhook struct {
	cfg  Config
	base *url.URL
	key  []byte // Standard Webhooks signing key, nil when unsigned
}

var _ integrations.Integration = (*Webhook)(nil)

// New validates the config node and returns the integration.
func New(n *yaml.Node) (integrations.Integration, []error) {
	var cfg Config
	if errs := integrations.Decode(n, &cfg); errs != nil {
		return nil, errs
	}
	var errs []error
	w := &Webhook{cfg: cfg}
	u, err := url.Parse(cfg.URL)
	switch {
	case cfg.URL == "":
		errs = append(errs, integrations.At(n, "url is required"))
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		errs = append(errs, integrations.At(field(n, "url"), "url %q must be an absolute http or https URL", cfg.URL))
	default:
		w.base = u
	}
	if cfg.Timeout < 0 {
		errs = append(errs, integrations.At(field(n, "timeout"), "timeout must be positive"))
	}
	if cfg.Sign != nil {
		key, err := signingKey(cfg.Sign)
		if err != nil {
			errs = append(errs, integrations.At(field(n, "sign"), "sign: %v", err))
		}
		w.key = key
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return w, nil
}

func signingKey(s *SignConfig) ([]byte, error) {
	if s.Scheme != "standard" {
		return nil, fmt.Errorf("scheme %q is not supported (want standard: Standard Webhooks)", s.Scheme)
	}
	raw, ok := strings.CutPrefix(s.Secret, "whsec_")
	if !ok {
		return nil, fmt.Errorf("secret must be a Standard Webhooks secret: whsec_ followed by base64")
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("secret after whsec_ is not valid base64")
	}
	return key, nil
}

// field finds a key's value node for error positions, or n itself.
func field(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

func (w *Webhook) Kind() string                    { return "webhook" }
func (w *Webhook) Retry() integrations.RetryPolicy { return w.cfg.Retry }
func (w *Webhook) Timeout() time.Duration          { return w.cfg.Timeout }
func (w *Webhook) Secrets() []string               { return []string{"webhook-signature"} }
func (w *Webhook) Operations() map[string]integrations.Operation {
	return map[string]integrations.Operation{"send": send{w}}
}

// Authorize signs the request when the integration has `sign`.
func (w *Webhook) Authorize(req *http.Request, body []byte, key string, now time.Time) error {
	if w.key == nil {
		return nil
	}
	ts := fmt.Sprint(now.Unix())
	req.Header.Set("webhook-id", key)
	req.Header.Set("webhook-timestamp", ts)
	req.Header.Set("webhook-signature", "v1,"+sign(w.key, key, ts, body))
	return nil
}
