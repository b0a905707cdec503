package ruletest

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/internal/project"
)

func noEnv(string) (string, bool) { return "", false }

func loadProject(t testing.TB, dir string) *project.Project {
	t.Helper()
	p, err := project.Load(dir, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// paidCase is a case of the test project that passes, with every kind of
// expectation; the table below changes one thing at a time.
const paidCase = `tests:
  - name: paid
    trigger: shop
    event:
      file: ../events/paid.json
    outputs:
      contact: { id: c-1 }
      order/approval: { order: "#7", by: ada }
    expect:
      rules: [order]
      skipped: [order/gift]
      requests:
        order/contact:
          method: POST
          url: http://127.0.0.1:9/crm/contacts
          headers: { content-type: application/json, idempotency-key: shop/wh-7/order/contact }
          body: { email: jon@example.com, total: 598.94, event: wh-7 }
        order/notify:
          method: PUT
          url: http://127.0.0.1:9/ops
          headers: { x-order: "#7", x-team: ops }
          body: { text: "Order #7: contact c-1, approved by ada" }
        order/plain:
          url: http://127.0.0.1:9/ops/plain
          body: "paid #7"
`

func TestRun(t *testing.T) {
	r, err := New(loadProject(t, "testdata/project"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(string) string
		want    []string // each finding, as printed
		wantErr string
	}{
		{name: "pass", edit: func(s string) string { return s }},
		{name: "rules differ",
			edit: func(s string) string { return strings.Replace(s, "rules: [order]", "rules: [order, vip]", 1) },
			want: []string{"rules\n  expected: [order, vip]\n  got:      [order]  (missing: vip)"}},
		{name: "url differs",
			edit: func(s string) string { return strings.Replace(s, "9/crm/contacts", "9/crm/contact", 1) },
			want: []string{"order/contact url\n  expected: http://127.0.0.1:9/crm/contact\n  got:      http://127.0.0.1:9/crm/contacts"}},
		{name: "method differs",
			edit: func(s string) string { return strings.Replace(s, "method: PUT", "method: POST", 1) },
			want: []string{"order/notify method\n  expected: POST\n  got:      PUT"}},
		{name: "header differs and header missing",
			edit: func(s string) string {
				return strings.Replace(s, `x-order: "#7"`, `x-order: "#8", x-missing: "1"`, 1)
			},
			want: []string{
				"order/notify headers.x-missing\n  expected: \"1\"\n  got:      (not sent)",
				"order/notify headers.x-order\n  expected: \"#8\"\n  got:      \"#7\"",
			}},
		{name: "body field differs in type, absent and extra",
			edit: func(s string) string {
				return strings.Replace(s, "total: 598.94, event: wh-7", `total: "598.94", extra: 1`, 1)
			},
			want: []string{
				"order/contact body.event\n  expected: (absent)\n  got:      \"wh-7\"",
				"order/contact body.extra\n  expected: 1\n  got:      (absent)",
				"order/contact body.total\n  expected: \"598.94\"\n  got:      598.94",
			}},
		{name: "text body differs",
			edit: func(s string) string { return strings.Replace(s, `body: "paid #7"`, `body: "paid #8"`, 1) },
			want: []string{"order/plain body\n  expected: \"paid #8\"\n  got:      \"paid #7\""}},
		{name: "skipped differs",
			edit: func(s string) string { return strings.Replace(s, "skipped: [order/gift]", "skipped: []", 1) },
			want: []string{"skipped\n  expected: []\n  got:      [order/gift]  (unexpected: order/gift)"}},
		{name: "request of a skipped step",
			edit: func(s string) string { return strings.Replace(s, "order/plain:", "order/gift:", 1) },
			want: []string{"order/gift: no request: the step was skipped (if is false: payload.vip == true)"}},
		{name: "request of a sleep step",
			edit: func(s string) string { return strings.Replace(s, "order/plain:", "order/later:", 1) },
			want: []string{"order/later: no request: it is a sleep step (sleeps 3d)"}},
		{name: "request of a rule that did not match",
			edit: func(s string) string { return strings.Replace(s, "order/plain:", "other/plain:", 1) },
			want: []string{"other/plain: no request: rule other did not match"}},
		{name: "signal does not match: the wait times out and notify is skipped",
			edit: func(s string) string { return strings.Replace(s, `order: "#7", by: ada`, `order: "#6"`, 1) },
			want: []string{
				"skipped\n  expected: [order/gift]\n  got:      [order/gift, order/notify]  (unexpected: order/notify)",
				"order/notify: no request: the step was skipped (if is false: !steps.approval.timed_out)",
			}},
		{name: "output not stubbed",
			edit: func(s string) string { return strings.Replace(s, "contact: { id: c-1 }", "", 1) },
			want: []string{`order/notify: render: with.body.text: ${{ steps.contact.output.id }}: `}},
		{name: "unknown trigger",
			edit:    func(s string) string { return strings.Replace(s, "trigger: shop", "trigger: shops", 1) },
			wantErr: `unknown trigger "shops" (configured: forms, shop)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("testdata/project/rules/x_test.yaml", []byte(tt.edit(paidCase)))
			if err != nil {
				t.Fatal(err)
			}
			res := r.Run(f.Cases[0])
			if tt.wantErr != "" {
				if res.Err == nil || res.Err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", res.Err, tt.wantErr)
				}
				return
			}
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			var got []string
			for _, f := range res.Problems {
				got = append(got, f.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if got[i] != tt.want[i] && !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding %d:\n%s\nwant:\n%s", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestEventDerivation(t *testing.T) {
	r, err := New(loadProject(t, "testdata/project"))
	if err != nil {
		t.Fatal(err)
	}
	src := `tests:
  - name: bare payload, type and id from the trigger's expressions
    trigger: forms
    event: { file: ../events/bare.json }
    expect:
      rules: [signup]
      requests:
        signup/welcome:
          body: { id: form-3, n: 3 }
  - name: type from the header, id from the body hash
    trigger: shop
    event:
      headers: { X-Shopify-Topic: orders/paid }
      payload: { name: "#1", email: a@b.c, total_price: 1 }
    outputs: { contact: { id: x }, approval: { order: "#1" } }
    expect:
      rules: [order]
  - name: type override
    trigger: shop
    event: { type: orders/create, file: ../events/paid.json }
    expect: { rules: [] }
`
	f, err := Parse("testdata/project/rules/x_test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range f.Cases {
		if res := r.Run(c); !res.Passed() {
			t.Errorf("%s: %v %v", c.Name, res.Err, res.Problems)
		}
	}
	res := r.Run(f.Cases[0])
	if len(res.Steps) != 2 || res.Steps[1].Request == nil {
		t.Fatalf("steps %+v", res.Steps)
	}
	h := res.Steps[1].Request.Headers
	if h["Webhook-Signature"] != "[redacted]" || h["Idempotency-Key"] != "forms/form-3/signup/partner" {
		t.Errorf("signed request headers %v: the signature must be redacted", h)
	}
	in, err := r.input(f.Cases[1])
	if err != nil || !strings.HasPrefix(in.Event.ID, "sha256-") || in.Event.Type != "orders/paid" {
		t.Errorf("input %+v, err %v", in.Event, err)
	}
	in, _ = r.input(&Case{Trigger: "shop", Event: Event{Headers: map[string]string{"x-shopify-hmac-sha256": "sig", "authorization": "x", "x-a": "b"}}})
	if len(in.Headers) != 1 || in.Headers["x-a"] != "b" {
		t.Errorf("headers %v: credentials must not reach rules", in.Headers)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"yaml", "tests: [\n", "x_test.yaml:1:1: yaml: did not find expected node content"},
		{"empty", "", "x_test.yaml:1:1: test file is empty; write tests: [...]"},
		{"unknown top field", "test: []\n", "x_test.yaml:1:1: unknown field `test` in test file (want tests)"},
		{"missing fields", "tests:\n  - name: a\n", "x_test.yaml:2:5: test case is missing `trigger`"},
		{"unknown case field", "tests:\n  - {name: a, trigger: t, event: {payload: {}}, expects: {}}\n",
			"x_test.yaml:2:49: unknown field `expects` in test case (want event, expect, name, outputs, trigger)"},
		{"event without payload", "tests:\n  - {name: a, trigger: t, event: {type: x}}\n", "x_test.yaml:2:34: event needs a payload, or a file holding one"},
		{"missing event file", "tests:\n  - {name: a, trigger: t, event: {file: nope.json}}\n", "x_test.yaml:2:41: event.file: open testdata/project/rules/nope.json: no such file or directory"},
		{"file and payload", "tests:\n  - {name: a, trigger: t, event: {file: ../events/bare.json, payload: {}}}\n",
			"x_test.yaml:2:71: event has both file and payload; use one"},
		{"bad request key", "tests:\n  - {name: a, trigger: t, event: {payload: {}}, expect: {requests: {contact: {}}}}\n",
			"x_test.yaml:2:69: expect.requests key \"contact\" must be rule/step"},
		{"unknown request field", "tests:\n  - {name: a, trigger: t, event: {payload: {}}, expect: {requests: {r/s: {bdy: 1}}}}\n",
			"x_test.yaml:2:75: unknown field `bdy` in expect.requests.r/s (want body, headers, method, url)"},
		{"duplicate name", "tests:\n  - {name: a, trigger: t, event: {payload: {}}}\n  - {name: a, trigger: t, event: {payload: {}}}\n",
			"x_test.yaml:3:5: duplicate test name \"a\" (first at line 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("testdata/project/rules/x_test.yaml", []byte(tt.src))
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v (%T), want Problems", err, err)
			}
			for _, p := range ps {
				if strings.HasSuffix(p.Error(), tt.want) {
					return
				}
			}
			t.Errorf("want %s\ngot:\n%v", tt.want, err)
		})
	}
}

// copyProject copies the test project to a temporary folder with tests as
// its only rule test file.
func copyProject(t *testing.T, tests string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/project")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rules", "order_test.yaml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUpdateRoundTrip(t *testing.T) {
	// Expectations that are partly wrong and partly missing.
	stale := `# comments survive
tests:
  - name: paid
    trigger: shop
    event: { file: ../events/paid.json }
    outputs:
      contact: { id: c-1 }      # the CRM's answer
      approval: { order: "#7", by: ada }
    expect:
      rules: [nope]
  - name: signup
    trigger: forms
    event: { file: ../events/bare.json }
`
	dir := copyProject(t, stale)
	p := loadProject(t, dir)
	var out bytes.Buffer
	if _, err := RunProject(p, Options{}, &out); !errors.Is(err, ErrFailed) {
		t.Fatalf("stale expectations passed: %v\n%s", err, &out)
	}
	out.Reset()
	sum, err := RunProject(p, Options{Update: true}, &out)
	if err != nil || sum.Passed != 2 || len(sum.Updated) != 1 {
		t.Fatalf("update: %+v %v\n%s", sum, err, &out)
	}
	if !strings.Contains(out.String(), "ok   order_test.yaml: paid (expectations updated)") {
		t.Errorf("output:\n%s", &out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "rules", "order_test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	written := string(data)
	for _, want := range []string{
		"# comments survive",
		"# the CRM's answer",
		"rules: [order]",
		"skipped: [order/gift]",
		"url: http://127.0.0.1:9/crm/contacts",
		"total: 598.94",
		`text: 'Order #7: contact c-1, approved by ada'`,
		"body: 'paid #7'",
		"rules: [signup]",
	} {
		if !strings.Contains(written, want) {
			t.Errorf("updated file lacks %q:\n%s", want, written)
		}
	}
	for _, h := range []string{"user-agent", "idempotency-key", "webhook-id", "webhook-timestamp", "webhook-signature"} {
		if strings.Contains(written, h) {
			t.Errorf("updated file pins the per-request header %s:\n%s", h, written)
		}
	}
	// The rewritten file passes, and a second update changes nothing.
	out.Reset()
	if sum, err := RunProject(loadProject(t, dir), Options{}, &out); err != nil || sum.Passed != 2 {
		t.Fatalf("after update: %+v %v\n%s", sum, err, &out)
	}
	out.Reset()
	if sum, err := RunProject(loadProject(t, dir), Options{Update: true}, &out); err != nil || len(sum.Updated) != 0 {
		t.Fatalf("second update: %+v %v\n%s", sum, err, &out)
	}
}

func TestRunProjectOutput(t *testing.T) {
	dir := copyProject(t, strings.Replace(paidCase, "rules: [order]", "rules: [order, vip]", 1)+`  - name: other
    trigger: forms
    event: { payload: { kind: signup, n: 1 } }
    expect: { rules: [signup] }
`)
	var out bytes.Buffer
	sum, err := RunProject(loadProject(t, dir), Options{}, &out)
	if !errors.Is(err, ErrFailed) || sum.Passed != 1 || sum.Failed != 1 {
		t.Fatalf("%+v %v", sum, err)
	}
	got := out.String()
	for _, want := range []string{
		"FAIL order_test.yaml:2: paid\n    rules\n      expected: [order, vip]\n      got:      [order]  (missing: vip)\n",
		"    steps:\n      call     order/contact                    succeeded: POST http://127.0.0.1:9/crm/contacts\n",
		"ok   order_test.yaml: other\n",
		"1 passed, 1 failed\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	out.Reset()
	sum, err = RunProject(loadProject(t, dir), Options{Run: regexp.MustCompile("^oth")}, &out)
	if err != nil || sum.Passed != 1 || sum.Failed != 0 || strings.Contains(out.String(), "paid") {
		t.Errorf("--run: %+v %v\n%s", sum, err, &out)
	}
}
