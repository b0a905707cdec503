package project

import (
	"slices"
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
