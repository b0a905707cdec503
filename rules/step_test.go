package rules

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const stepKinds = `name: kinds
on: [shop-orders]
steps:
  - id: contact
    call: crm.upsert_contact
    if: payload.total_price > vars.min
    timeout: 45s
    continue_on_error: true
    retry: { initial: 2s, backoff: 3, max_interval: 5m, max_attempts: 7, expire: 3d }
    with: { email: "${{ payload.email }}" }
  - id: cool-off
    sleep: 1d12h
    needs: [contact]
  - id: approval
    needs: [cool-off]
    wait_for:
      signal: approved
      timeout: 24h
      match: signal.order_id == payload.id && steps.contact.status == "succeeded"
  - id: notify
    call: ops.post_message
    needs: [approval]
    if: '!steps.approval.timed_out'
    with: { text: "approved by ${{ steps.approval.output.by }}" }
`

func TestStepKinds(t *testing.T) {
	opts := testOptions()
	opts.Vars = map[string]any{"min": 100}
	e, err := LoadFiles(map[string][]byte{"kinds.yaml": []byte(stepKinds)}, opts)
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.Match(Input{Event: Event{Trigger: "shop-orders"}})
	if err != nil || len(p.Rules) != 1 {
		t.Fatalf("plan %+v, err %v", p, err)
	}
	steps := p.Rules[0].Steps
	want := []Step{
		{ID: "contact", Call: "crm.upsert_contact", If: "payload.total_price > vars.min", Timeout: 45 * time.Second,
			ContinueOnError: true, With: map[string]any{"email": "${{ payload.email }}"},
			Retry: &Retry{Initial: 2 * time.Second, Backoff: 3, MaxInterval: 5 * time.Minute, MaxAttempts: 7, Expire: 72 * time.Hour}},
		{ID: "cool-off", Sleep: 36 * time.Hour, Needs: []string{"contact"}},
		{ID: "approval", Needs: []string{"cool-off"}, WaitFor: &WaitFor{Signal: "approved", Timeout: 24 * time.Hour,
			Match: `signal.order_id == payload.id && steps.contact.status == "succeeded"`}},
		{ID: "notify", Call: "ops.post_message", Needs: []string{"approval"}, If: "!steps.approval.timed_out",
			With: map[string]any{"text": "approved by ${{ steps.approval.output.by }}"}},
	}
	if !reflect.DeepEqual(steps, want) {
		t.Errorf("steps\n%#v\nwant\n%#v", steps, want)
	}
}

func TestEvalBool(t *testing.T) {
	e, err := LoadFiles(map[string][]byte{"r.yaml": []byte(ruleSrc("r", "[t]", ""))}, Options{Vars: map[string]any{"min": 100}})
	if err != nil {
		t.Fatal(err)
	}
	scope := renderScope()
	scope.Steps["wait"] = StepState{Status: "succeeded", TimedOut: true}
	tests := []struct {
		src     string
		want    bool
		wantErr string
	}{
		{"payload.total_price > vars.min", true, ""},
		{`steps.contact.status == "succeeded" && steps.contact.output.id == "c_9"`, true, ""},
		{"steps.wait.timed_out", true, ""},
		{"!steps.contact.timed_out", true, ""},
		{"payload.customer.vip", true, ""},
		{"payload.missing", false, ""}, // nil reads as false, as in `when`
		{"payload.name", false, "expected bool, got string"},
		{"event.nope", false, "event has no field nope (it has: id, type, trigger, received_at)"},
		{"len(payload.tags)", false, "expected bool, but got int"},
		{"signal.x", false, "signal is only set in wait_for.match"},
		{"payload.items[3]", false, "payload.items[3]: "},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			for range 2 { // the second run uses the cached program
				got, err := e.EvalBool(tt.src, scope)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("err = %v, want %q", err, tt.wantErr)
					}
					continue
				}
				if err != nil || got != tt.want {
					t.Fatalf("got %v %v, want %v", got, err, tt.want)
				}
			}
		})
	}
}

func TestEvalMatch(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	scope := renderScope()
	tests := []struct {
		src     string
		signal  any
		want    bool
		wantErr string
	}{
		{`signal.order == payload.name`, map[string]any{"order": "#1001"}, true, ""},
		{`signal.order == payload.name`, map[string]any{"order": "#1002"}, false, ""},
		{`signal.approved && steps.contact.output.id == "c_9"`, map[string]any{"approved": true}, true, ""},
		{`signal == nil`, nil, true, ""},
		{`signal.approved`, map[string]any{}, false, ""},
		{`signal.by`, map[string]any{"by": "ada"}, false, "expected bool, got string"},
		{`signal.order ==`, nil, false, "unexpected token EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			got, err := e.EvalMatch(tt.src, scope, tt.signal)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v %v, want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{"30s", 30 * time.Second, ""},
		{"10m", 10 * time.Minute, ""},
		{"72h", 72 * time.Hour, ""},
		{"3d", 72 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"1.5d", 36 * time.Hour, ""},
		{"500ms", 500 * time.Millisecond, ""},
		{"0s", 0, "must be positive"},
		{"-1d", 0, "must be positive"},
		{"3 days", 0, "is not a duration"},
		{"3w", 0, "is not a duration"},
		{"", 0, "is not a duration"},
		{"999999999d", 0, "out of range"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%q: err = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestHelperFunctions pins the function list the rules reference documents.
func TestHelperFunctions(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	calls := map[string]any{
		"lower":       "${{ lower('AB') }}",
		"upper":       "${{ upper('ab') }}",
		"trim":        "${{ trim('  a ') }}",
		"sha256":      "${{ sha256('') }}",
		"hmac_sha256": "${{ hmac_sha256('k', '') }}",
		"json":        "${{ json({'a': [1]}) }}",
		"parse_time":  "${{ parse_time('DateOnly', '2026-01-02').Year() }}",
		"format_time": "${{ format_time(parse_time('2026-01-02T00:00:00Z'), 'Kitchen') }}",
		"default":     "${{ default(nil, 'x') }}",
		"coalesce":    "${{ coalesce(nil, '', 'y') }}",
	}
	got, err := e.Render(calls, renderScope())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"lower": "ab", "upper": "AB", "trim": "a",
		"sha256":      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"hmac_sha256": "8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620",
		"json":        `{"a":[1]}`,
		"parse_time":  2026, "format_time": "12:00AM", "default": "x", "coalesce": "y",
	}
	g := got.(map[string]any)
	for k, w := range want {
		if !reflect.DeepEqual(g[k], w) {
			t.Errorf("%s = %#v, want %#v", k, g[k], w)
		}
	}
}
