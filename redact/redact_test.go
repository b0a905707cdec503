package redact

import "testing"

func TestSensitive(t *testing.T) {
	for name, want := range map[string]bool{
		"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
		"X-Webhook-Secret": true, "Api-Key": true, "X-Api-Key": true, "X-Auth": true, "X-Auth-Token": true,
		"X-Hub-Signature-256": true, "X-Shopify-Hmac-Sha256": true, "X-Session-Id": true, "sig": true,
		"access_token": true, "X-Password": true,
		"Idempotency-Key": false, "Content-Type": false, "X-GitHub-Event": false, "Webhook-Id": false,
		"Keep-Alive": false, "X-Request-Id": false,
	} {
		if got := Sensitive(name); got != want {
			t.Errorf("Sensitive(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://u:p4ss@h.example/a?token=abc&x=1&sig=zz": "https://u:[redacted]@h.example/a?token=[redacted]&x=1&sig=[redacted]",
		"/relative?api_key=k":                             "/relative?api_key=[redacted]",
		"https://h.example/p":                             "https://h.example/p",
		"%zz?token=abc":                                   "%zz",
	} {
		if got := URL(raw); got != want {
			t.Errorf("URL(%q) = %q, want %q", raw, got, want)
		}
	}
}
