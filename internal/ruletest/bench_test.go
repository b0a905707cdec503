package ruletest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRunProject parses and runs 1,000 cases (one file) against the
// test project: each matches a rule, walks six steps and builds three
// requests. One iteration is the whole suite.
func BenchmarkRunProject(b *testing.B) {
	dir := b.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/project")); err != nil {
		b.Fatal(err)
	}
	var src strings.Builder
	src.WriteString("tests:\n")
	for i := range 1000 {
		fmt.Fprintf(&src, `  - name: case %d
    trigger: shop
    event:
      headers: { x-shopify-topic: orders/paid, x-shopify-webhook-id: wh-%d }
      payload: { name: "#%d", email: a%d@example.com, total_price: "%d.50" }
    outputs:
      contact: { id: c-%d }
      approval: { order: "#%d", by: ada }
    expect:
      rules: [order]
      skipped: [order/gift]
      requests:
        order/contact:
          method: POST
          url: http://127.0.0.1:9/crm/contacts
          headers: { content-type: application/json }
          body: { email: a%d@example.com, total: %d.5, event: wh-%d }
        order/notify:
          method: PUT
          body: { text: "Order #%d: contact c-%d, approved by ada" }
`, i, i, i, i, i, i, i, i, i, i, i, i)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "bench_test.yaml"), []byte(src.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	p := loadProject(b, dir)
	b.ReportAllocs()
	for b.Loop() {
		sum, err := RunProject(p, Options{}, io.Discard)
		if err != nil || sum.Passed != 1000 {
			b.Fatalf("%+v %v", sum, err)
		}
	}
}
