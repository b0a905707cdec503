package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
)

// BenchmarkCall is one outbound step as a CallStep activity makes it: build
// the request from the rendered input, sign it (Standard Webhooks), send it
// through the SSRF-guarded client to a server on loopback, read and record
// the answer, redact. Connections are reused across iterations, as a worker's are.
//
//	go test ./integrations/webhook -run '^$' -bench Call -benchmem
func BenchmarkCall(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"bench-ok"}`)
	}))
	defer srv.Close()
	for _, sign := range []bool{false, true} {
		b.Run(fmt.Sprintf("signed=%v", sign), func(b *testing.B) {
			src := fmt.Sprintf("recv: {kind: webhook, url: %q}", srv.URL)
			if sign {
				src = fmt.Sprintf("recv: {kind: webhook, url: %q, sign: {scheme: standard, secret: %q}}", srv.URL, secret)
			}
			s := loadB(b, src)
			call := integrations.Call{Integration: "recv", Operation: "send", IdempotencyKey: "bench/hb1-1/relay/first",
				Input: map[string]any{"path": "/first", "body": map[string]any{"event": "hb1-1", "email": "bench@example.com", "n": 1}}}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Call(context.Background(), call); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBuild is the request alone, as `hookflow test` previews it.
func BenchmarkBuild(b *testing.B) {
	s := loadB(b, fmt.Sprintf("recv: {kind: webhook, url: http://127.0.0.1:9/hooks, sign: {scheme: standard, secret: %q}}", secret))
	call := integrations.Call{Integration: "recv", Operation: "send", IdempotencyKey: "bench/hb1-1/relay/first",
		Input: map[string]any{"path": "/first", "body": map[string]any{"event": "hb1-1", "email": "bench@example.com", "n": 1}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Build(call); err != nil {
			b.Fatal(err)
		}
	}
}

func loadB(b *testing.B, src string) *integrations.Set {
	b.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		b.Fatal(err)
	}
	s, err := catalog.Load("hookflow.yaml", doc.Content[0], []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
