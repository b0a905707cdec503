package verify

import (
	"bytes"
	"testing"
	"time"
)

// BenchmarkVerify measures verifying a correctly signed 2 KB body per scheme.
func BenchmarkVerify(b *testing.B) {
	now := time.Unix(1750000000, 0)
	body := bytes.Repeat([]byte(`{"k":"0123456789abcdef"},`), 2048/25+1)[:2048]
	for _, c := range append(schemeConfigs(), Config{Scheme: "none"}) {
		b.Run(cfgName(c), func(b *testing.B) {
			if c.Scheme != "none" {
				s, _, _ := rotationSecrets(c.Scheme)
				c.Secret = Secrets{s}
			}
			r := sampleRequest()
			r.Body = body
			h, err := Sign(c, r, "msg_bench", now)
			if err != nil {
				b.Fatal(err)
			}
			r = merge(r, h)
			v := mustNew(b, c)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := v.Verify(r, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
