package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// With the samples' variables unset, serve and worker refuse to start and
// say which variables to set; dev refuses too when it listens off loopback.
// Nothing is dialled: the Temporal address is a closed port.
func TestServeAndWorkerRefuseDefaultSecrets(t *testing.T) {
	none := mapEnv(map[string]string{})
	for _, args := range [][]string{
		{"serve", "--project", "../../samples/shop", "--temporal", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--metrics", ""},
		{"worker", "--project", "../../samples/leads", "--temporal", "127.0.0.1:1", "--metrics", ""},
		{"dev", "--project", "../../samples/shop", "--listen", "0.0.0.0:0", "--ephemeral", "--temporal-port", "0", "--ui-port", "-1"},
	} {
		err := run(context.Background(), args, none, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "refuses to start with public default secrets") {
			t.Errorf("%s: err = %v", args[0], err)
			continue
		}
		want := "SHOP_WEBHOOK_SECRET"
		if args[0] == "worker" {
			want = "HOOKFLOW_ADMIN_TOKEN"
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v does not name %s", args[0], err, want)
		}
	}
}
