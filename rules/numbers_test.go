package rules

import (
	"strings"
	"testing"
)

// TestNumberHelpers: format, money and number render numbers for messages
// in one short call each (paper cut 9).
func TestNumberHelpers(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	scope := renderScope()
	scope.Payload.(map[string]any)["amount"] = 1234.0
	scope.Payload.(map[string]any)["currency"] = "usd"
	scope.Payload.(map[string]any)["price"] = "1234.5"
	for _, tc := range []struct{ tmpl, want string }{
		{"${{ money(payload.amount, payload.currency) }}", "12.34 USD"},
		{"${{ money(5, 'eur') }}", "0.05 EUR"},
		{"${{ money(-1234, 'USD') }}", "-12.34 USD"},
		{"${{ money(1234, 'JPY') }}", "1234 JPY"},
		{"${{ money(1234, 'KWD') }}", "1.234 KWD"},
		{"${{ money('1999', 'gbp') }}", "19.99 GBP"},
		{"${{ format('%.2f %s', payload.total_price, 'USD') }}", "612.50 USD"},
		{"${{ format('order %s: %d item(s), %05d', payload.name, payload.count, 42) }}", "order #1001: 3 item(s), 00042"},
		{"${{ format('%d%%', '7') }}", "7%"},
		{"${{ number(payload.big, 0) }}", "12,345,678,901,234"},
		{"${{ number(payload.price, 2) }}", "1,234.50"},
		{"${{ number(-0.004, 2) }}", "0.00"},
		{"${{ number(-1234567.891, 1) }}", "-1,234,567.9"},
	} {
		got, err := e.Render(tc.tmpl, scope)
		if err != nil || got != tc.want {
			t.Errorf("%s = %v, %v; want %q", tc.tmpl, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ tmpl, want string }{
		{"${{ money(12.5, 'USD') }}", "not a whole amount in minor units"},
		{"${{ money(1, 'dollars') }}", "not a three-letter code"},
		{"${{ format('%d', 1.5) }}", "not a whole number for %d"},
		{"${{ format('%999999s', 'x') }}", "width 999999 is larger than 64"},
		{"${{ format('%.100f', 1) }}", "precision 100 is larger than 64"},
		{"${{ format('%p', 1) }}", "verb %p is not supported"},
		{"${{ format('%s %s', 1) }}", "1 value(s) for 2 verb(s)"},
		{"${{ number('x', 2) }}", "not a number"},
	} {
		if _, err := e.Render(tc.tmpl, scope); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.tmpl, err, tc.want)
		}
	}
}
