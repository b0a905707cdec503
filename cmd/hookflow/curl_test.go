package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

// shellWords splits a command the way sh does for what curlCommand writes:
// comments, line continuations, single quotes and the escaped quote.
func shellWords(t *testing.T, cmd string) []string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(cmd, "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	s := strings.ReplaceAll(strings.Join(lines, "\n"), "\\\n", " ")
	var words []string
	var cur strings.Builder
	in, has := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case in && c == '\'':
			in = false
		case in:
			cur.WriteByte(c)
		case c == '\'':
			in, has = true, true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			has = true
		case c == ' ' || c == '\n' || c == '\t':
			if has {
				words = append(words, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(c)
			has = true
		}
	}
	if in {
		t.Fatalf("unterminated quote in:\n%s", cmd)
	}
	if has {
		words = append(words, cur.String())
	}
	return words
}

// TestSendPrintCurl: --print-curl prints the signed request, and that
// command, run as a shell would, is accepted by the trigger: headers,
// signature and body byte for byte.
func TestSendPrintCurl(t *testing.T) {
	for _, tc := range []struct{ project, trigger, file string }{
		{"../../samples/shop", "shop-orders", "events/order-paid.json"},
		{"../../samples/billing", "stripe", "events/invoice-paid.json"},
		{"../../samples/leads", "leads", "events/lead-ada.json"},
	} {
		t.Run(tc.trigger, func(t *testing.T) {
			p, err := project.Load(tc.project, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			st := &seenStarter{seen: map[string]bool{}}
			srv := httptest.NewServer(triggers.NewServer(triggers.Deps{Triggers: p.Triggers, Starter: st}))
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			err = run(context.Background(), []string{"send", tc.trigger, tc.project + "/" + tc.file, "--project", tc.project, "--url", srv.URL, "--print-curl", "-H", "X-Note: it's quoted"}, noEnv, &stdout, &stderr)
			if err != nil {
				t.Fatalf("%v\n%s", err, &stderr)
			}
			if st.starts() != 0 {
				t.Fatal("--print-curl sent the request")
			}
			w := shellWords(t, stdout.String())
			if len(w) < 6 || w[0] != "curl" || w[2] != "-X" || w[len(w)-2] != "--data-binary" {
				t.Fatalf("not a curl command:\n%s", &stdout)
			}
			req, err := http.NewRequest(w[3], w[4], strings.NewReader(w[len(w)-1]))
			if err != nil {
				t.Fatal(err)
			}
			for i := 5; i < len(w)-2; i += 2 {
				if w[i] != "-H" {
					t.Fatalf("unexpected %q in:\n%s", w[i], &stdout)
				}
				name, value, _ := strings.Cut(w[i+1], ": ")
				req.Header.Add(name, value)
			}
			if req.Header.Get("X-Note") != "it's quoted" {
				t.Fatalf("header X-Note = %q", req.Header.Get("X-Note"))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || st.starts() != 1 {
				t.Fatalf("the printed request got %d and started %d run(s):\n%s", resp.StatusCode, st.starts(), &stdout)
			}
		})
	}
}
