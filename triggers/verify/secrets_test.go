package verify

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestSecretsYAML(t *testing.T) {
	cases := []struct {
		name, doc string
		want      Secrets
		err       string
	}{
		{"scalar", "scheme: github\nsecret: abc\n", Secrets{"abc"}, ""},
		{"list", "scheme: github\nsecret: [old, new]\n", Secrets{"old", "new"}, ""},
		{"block list", "scheme: github\nsecret:\n  - old\n  - new\n", Secrets{"old", "new"}, ""},
		{"absent", "scheme: none\n", nil, ""},
		{"null", "scheme: none\nsecret:\n", nil, ""},
		{"map", "scheme: github\nsecret: {a: b}\n", nil, "must be a string or a list of strings"},
		{"nested", "scheme: github\nsecret: [[a]]\n", nil, "verify.secret[0] must be a string"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			err := yaml.Unmarshal([]byte(tc.doc), &c)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("want error %q, got %v", tc.err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint([]string(c.Secret)) != fmt.Sprint([]string(tc.want)) || (c.Secret == nil) != (tc.want == nil) {
				t.Fatalf("got %q want %q", []string(c.Secret), []string(tc.want))
			}
		})
	}
}

func TestConfigYAMLFull(t *testing.T) {
	doc := `
scheme: hmac
secret: s3cr3t
tolerance: 2m
header: X-Sig
algorithm: sha512
encoding: base64
prefix: "sha512="
timestamp_header: X-Ts
content: "{timestamp}.{body}"
`
	var c Config
	if err := yaml.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatal(err)
	}
	want := Config{Scheme: "hmac", Secret: Secrets{"s3cr3t"}, Tolerance: 2 * time.Minute, Header: "X-Sig",
		Algorithm: "sha512", Encoding: "base64", Prefix: "sha512=", TimestampHeader: "X-Ts", Content: "{timestamp}.{body}"}
	if fmt.Sprintf("%#v", c) != fmt.Sprintf("%#v", want) || c.Secret[0] != "s3cr3t" {
		t.Fatalf("got %#v", c)
	}
	if _, err := New(c); err != nil {
		t.Fatal(err)
	}
}

func TestSecretsRedactedWhenPrinted(t *testing.T) {
	c := Config{Scheme: "github", Secret: Secrets{"topsecret"}}
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c.Secret)} {
		if strings.Contains(s, "topsecret") {
			t.Fatalf("printed config leaks secret: %s", s)
		}
	}
}
