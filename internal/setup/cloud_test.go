package setup

import "testing"

func TestIsCloud(t *testing.T) {
	for addr, want := range map[string]bool{
		"acme.a1b2c.tmprl.cloud:7233":        true,
		"us-east-1.aws.api.temporal.io:7233": true,
		"ACME.A1B2C.TMPRL.CLOUD":             true,
		"temporal.internal:7233":             false,
		"127.0.0.1:7233":                     false,
		"tmprl.cloud.evil.example:7233":      false,
	} {
		if got := IsCloud(addr); got != want {
			t.Errorf("IsCloud(%q) = %v, want %v", addr, got, want)
		}
	}
}
