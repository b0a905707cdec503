package catalog

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// section parses a hookflow.yaml and returns its integrations: node.
func section(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "integrations" {
			return root.Content[i+1]
		}
	}
	return nil
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"unknown kind", `
integrations:
  partner:
    kind: webhok
    url: https://partner.example.com
`, []string{`hookflow.yaml:4:11: integrations.partner: unknown kind "webhok" (known: {kinds})`}},
		{"kind missing", `
integrations:
  partner:
    url: https://partner.example.com
`, []string{`hookflow.yaml:4:5: integrations.partner.kind is required (known: {kinds})`}},
		{"url missing", `
integrations:
  partner:
    kind: webhook
`, []string{`hookflow.yaml:4:5: integrations.partner.url is required`}},
		{"unknown field", `
integrations:
  partner:
    kind: webhook
    ulr: https://partner.example.com
`, []string{`hookflow.yaml:5:5: integrations.partner: unknown field "ulr" (known: concurrency, headers, health_check, kind, rate_limit, record_body_limit, retry, sign, timeout, url)`}},
		{"bad url and timeout", `
integrations:
  partner:
    kind: webhook
    url: ftp://partner.example.com
    timeout: 30
`, []string{
			`hookflow.yaml:6:14: integrations.partner.timeout must be a duration like 30s or 5m`,
			`hookflow.yaml:5:10: integrations.partner.url must be an absolute http or https URL`,
		}},
		{"retry", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    retry: { intial: 1s, backoff: 0.5, max_attempts: -1, expire: -1h }
`, []string{`hookflow.yaml:6:14: integrations.partner.retry: unknown field "intial" (known: backoff, expire, initial, max_attempts, max_interval)`}},
		{"retry values", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    retry: { initial: 1h, backoff: 0.5, max_attempts: -1, expire: -1h, max_interval: 1m }
`, []string{
			`hookflow.yaml:6:67: integrations.partner.retry.expire must be positive`,
			`hookflow.yaml:6:36: integrations.partner.retry.backoff must be at least 1`,
			`hookflow.yaml:6:55: integrations.partner.retry.max_attempts must be 0 (unlimited) or more`,
		}},
		{"max_interval below initial", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    retry: { initial: 20m }
`, nil}, // max_interval defaults up to initial
		{"max_interval set below initial", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    retry: { initial: 20m, max_interval: 1m }
`, []string{`hookflow.yaml:6:42: integrations.partner.retry.max_interval must be at least retry.initial (20m0s)`}},
		{"sign", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    sign: { scheme: hmac, secret: "whsec_not base64!", extra: 1 }
`, []string{`hookflow.yaml:6:56: integrations.partner.sign: unknown field "extra" (known: scheme, secret)`}},
		{"sign values", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    sign: { scheme: hmac, secret: "whsec_not base64!" }
`, []string{
			`hookflow.yaml:6:21: integrations.partner.sign.scheme: unknown scheme "hmac" (known: standard)`,
			`hookflow.yaml:6:35: integrations.partner.sign.secret must be whsec_ followed by valid base64 (the part after whsec_ does not decode)`,
		}},
		{"sign secret without prefix", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    sign: { scheme: standard, secret: topsecretvalue }
`, []string{`hookflow.yaml:6:39: integrations.partner.sign.secret must start with whsec_ followed by the base64 key`}},
		{"headers", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    headers: { "Bad Name": x, X-Ok: [1] }
`, []string{`hookflow.yaml:6:14: integrations.partner.headers must be a mapping of names to strings`}},
		{"header name", `
integrations:
  partner:
    kind: webhook
    url: https://partner.example.com
    headers: { "Bad Name": x }
`, []string{`hookflow.yaml:6:28: integrations.partner.headers: header name "Bad Name" has a character not allowed in header names`}},
		{"every error at once", `
integrations:
  Partner:
    kind: webhook
  crm:
    kind: hubspott
  ops:
    kind: webhook
    url: https://hooks.example.com
    timeout: -5s
  ops2: just-a-string
`, []string{
			`hookflow.yaml:3:3: integrations: name "Partner": use lower-case letters, digits, - and _, starting with a letter (rules call it as Partner.<operation>)`,
			`hookflow.yaml:6:11: integrations.crm: unknown kind "hubspott" (known: {kinds})`,
			`hookflow.yaml:10:14: integrations.ops.timeout must be positive`,
			`hookflow.yaml:11:9: integrations.ops2 must be a mapping with at least ` + "`kind`",
		}},
		{"not a mapping", `
integrations: [a, b]
`, []string{`hookflow.yaml:2:15: integrations: must be a mapping of integration name to settings`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load("hookflow.yaml", section(t, tt.src), nil)
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "{kinds}", strings.Join(Kinds(), ", "))
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if strings.Join(got, "\n") != want {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
			}
			if strings.Contains(strings.Join(got, ""), "not base64!") || strings.Contains(strings.Join(got, ""), "topsecret") {
				t.Errorf("an error quotes the secret")
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	s, err := Load("hookflow.yaml", section(t, `
integrations:
  partner: &base
    kind: webhook
    url: https://partner.example.com/hooks
    sign: { scheme: standard, secret: `+secret+` }
    timeout: 5s
    retry: { initial: 2s, max_attempts: 20, expire: 72h }
  ops:
    kind: webhook
    url: http://127.0.0.1:8080/inspect/ops
`), []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Names(), ","); got != "ops,partner" {
		t.Errorf("Names = %s", got)
	}
	tests := []struct {
		name    string
		retry   integrations.RetryPolicy
		timeout time.Duration
	}{
		{"partner", integrations.RetryPolicy{Initial: 2 * time.Second, Backoff: 2, MaxInterval: 10 * time.Minute, MaxAttempts: 20, Expire: 72 * time.Hour}, 5 * time.Second},
		{"ops", integrations.DefaultRetry, 30 * time.Second},
	}
	for _, tt := range tests {
		if got := s.Retry(tt.name); got != tt.retry {
			t.Errorf("Retry(%s) = %+v, want %+v", tt.name, got, tt.retry)
		}
		if got := s.Timeout(tt.name); got != tt.timeout {
			t.Errorf("Timeout(%s) = %s, want %s", tt.name, got, tt.timeout)
		}
	}
	if req, err := s.Check("partner", "send"); err != nil || len(req) != 0 {
		t.Errorf("Check(partner, send) = %v, %v", req, err)
	}
	if _, err := s.Check("partner", "post"); err == nil || err.Error() != `integration "partner" (kind webhook) has no operation "post" (has: send)` {
		t.Errorf("Check(partner, post) = %v", err)
	}
	if _, err := s.Check("crm", "upsert_contact"); err == nil || err.Error() != `unknown integration "crm" (configured: ops, partner)` {
		t.Errorf("Check(crm, …) = %v", err)
	}
	empty, err := Load("hookflow.yaml", nil, nil)
	if err != nil || len(empty.Names()) != 0 {
		t.Errorf("Load(nil) = %v, %v", empty.Names(), err)
	}
	if got := Kinds(); !slices.Contains(got, "webhook") || !slices.IsSorted(got) {
		t.Errorf("Kinds = %s", got)
	}
}
