package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The samples fall back to public secrets when their variables are unset;
// the loader names each such credential setting, so serve and worker can
// refuse them. Setting the variable clears it.
func TestDefaultSecretsNamed(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	p, err := Load("../../samples/shop", none)
	if err != nil {
		t.Fatal(err)
	}
	var vars []string
	for _, d := range p.DefaultSecrets {
		vars = append(vars, d.Var)
		if d.At == "" || d.Field == "" {
			t.Errorf("%+v: where is it?", d)
		}
	}
	for _, want := range []string{"SHOP_WEBHOOK_SECRET", "HUBSPOT_TOKEN", "SLACK_BOT_TOKEN", "SHOPIFY_TOKEN"} {
		if !slices.Contains(vars, want) {
			t.Errorf("default of %s not named (got %v)", want, vars)
		}
	}
	for _, not := range []string{"HUBSPOT_BASE_URL", "SHOP_VIP_THRESHOLD", "SLACK_CHANNEL"} {
		if slices.Contains(vars, not) {
			t.Errorf("%s is not a secret, but was named", not)
		}
	}
	leads, err := Load("../../samples/leads", none)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range leads.DefaultSecrets {
		found = found || (d.Var == "HOOKFLOW_ADMIN_TOKEN" && d.Field == "admin.token")
	}
	if !found {
		t.Errorf("leads: admin token default not named: %+v", leads.DefaultSecrets)
	}
	set := func(k string) (string, bool) {
		if slices.Contains(vars, k) {
			return "value-from-the-environment-" + k, true
		}
		return "", false
	}
	p, err = Load("../../samples/shop", set)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.DefaultSecrets) != 0 {
		t.Fatalf("with the secrets set: %+v", p.DefaultSecrets)
	}
}

// The codec token guards decrypted payloads: like the admin token it must
// be long enough not to be guessed.
func TestCodecTokenMinimumLength(t *testing.T) {
	dir := t.TempDir()
	write := func(token string) error {
		y := "triggers: {}\nencryption: {keys: \"k1:" + strings.Repeat("A", 43) + "=\", token: \"" + token + "\"}\n"
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, func(string) (string, bool) { return "", false })
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := write("short"); err == nil || !strings.Contains(err.Error(), "encryption.token is too short") {
		t.Errorf("short token: %v", err)
	}
	if err := write("a-long-enough-codec-token-0123"); err != nil {
		t.Errorf("long token: %v", err)
	}
}

// ::ffff:0:0/96 reads as IPv6 but allows all of IPv4 through the SSRF
// guard (it unmaps addresses): loading warns.
func TestAllowNetworksIPv4MappedWarns(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rules"), 0o700); err != nil {
		t.Fatal(err)
	}
	for cidr, warn := range map[string]bool{"::ffff:0:0/96": true, "::/0": true, "::ffff:10.0.0.0/104": true, "127.0.0.0/8": false, "2001:db8::/32": false} {
		y := "triggers: {}\noutbound: {allow_networks: [\"" + cidr + "\"]}\n"
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(y), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := Load(dir, func(string) (string, bool) { return "", false })
		if err != nil {
			t.Fatal(err)
		}
		got := len(p.Warnings) == 1 && strings.Contains(p.Warnings[0], "IPv4-mapped")
		if got != warn {
			t.Errorf("%s: warnings %v, want a warning: %v", cidr, p.Warnings, warn)
		}
	}
}
