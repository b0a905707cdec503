package ruletest

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/rules"
)

// Finding is one difference between expected and got, or one error.
type Finding struct {
	Where    string // "rules", "paid-order/contact url", "paid-order/contact body.total"
	Msg      string // set for errors and absences; otherwise Expected and Got
	Expected string
	Got      string
}

func (f Finding) String() string {
	if f.Msg != "" {
		return f.Where + ": " + f.Msg
	}
	return fmt.Sprintf("%s\n  expected: %s\n  got:      %s", f.Where, f.Expected, f.Got)
}

func compare(c *Case, res *Result) []Finding {
	var out []Finding
	steps := map[string]*StepRun{}
	for i := range res.Steps {
		s := &res.Steps[i]
		steps[s.Key()] = s
		if s.Err != nil {
			out = append(out, Finding{Where: s.Key(), Msg: errorHint(s.Err)})
		}
	}
	ex := c.Expect
	if ex.HasRules {
		if f, ok := sameSet("rules", ex.Rules, res.Rules); !ok {
			out = append(out, f)
		}
	}
	if ex.HasSkip {
		var skipped []string
		for _, s := range res.Steps {
			if s.Status == "skipped" {
				skipped = append(skipped, s.Key())
			}
		}
		if f, ok := sameSet("skipped", ex.Skipped, skipped); !ok {
			out = append(out, f)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(ex.Requests)) {
		want := ex.Requests[key]
		s := steps[key]
		rule, _, _ := strings.Cut(key, "/")
		switch {
		case s == nil && !slices.Contains(res.Rules, rule):
			out = append(out, Finding{Where: key, Msg: fmt.Sprintf("no request: rule %s did not match", rule)})
		case s == nil:
			out = append(out, Finding{Where: key, Msg: fmt.Sprintf("no request: rule %s has no step of that id", rule)})
		case s.Err != nil:
			// already reported
		case s.Status == "skipped":
			out = append(out, Finding{Where: key, Msg: "no request: the step was skipped (" + s.Note + ")"})
		case s.Request == nil:
			out = append(out, Finding{Where: key, Msg: fmt.Sprintf("no request: it is a %s step (%s)", s.Kind, s.Note)})
		default:
			out = append(out, compareRequest(key, want, *s.Request)...)
		}
	}
	return out
}

// errorHint adds what to do to the errors a test author meets most.
func errorHint(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "steps.") && (strings.Contains(msg, "nil") || strings.Contains(msg, "cannot fetch")) {
		msg += " (stub the step's output under outputs:)"
	}
	return msg
}

func sameSet(where string, want, got []string) (Finding, bool) {
	w, g := slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got))
	if slices.Equal(w, g) {
		return Finding{}, true
	}
	f := Finding{Where: where, Expected: "[" + strings.Join(w, ", ") + "]", Got: "[" + strings.Join(g, ", ") + "]"}
	var missing, extra []string
	for _, x := range w {
		if !slices.Contains(g, x) {
			missing = append(missing, x)
		}
	}
	for _, x := range g {
		if !slices.Contains(w, x) {
			extra = append(extra, x)
		}
	}
	if len(missing) > 0 {
		f.Got += "  (missing: " + strings.Join(missing, ", ") + ")"
	}
	if len(extra) > 0 {
		f.Got += "  (unexpected: " + strings.Join(extra, ", ") + ")"
	}
	return f, false
}

func compareRequest(key string, want Request, got integrations.RecordedRequest) []Finding {
	var out []Finding
	if want.Method != "" && !strings.EqualFold(want.Method, got.Method) {
		out = append(out, Finding{Where: key + " method", Expected: want.Method, Got: got.Method})
	}
	if want.URL != "" && want.URL != got.URL {
		out = append(out, Finding{Where: key + " url", Expected: want.URL, Got: got.URL})
	}
	lower := make(map[string]string, len(got.Headers))
	for k, v := range got.Headers {
		lower[strings.ToLower(k)] = v
	}
	for _, k := range slices.Sorted(maps.Keys(want.Headers)) {
		v, ok := lower[k]
		switch {
		case !ok:
			out = append(out, Finding{Where: key + " headers." + k, Expected: quote(want.Headers[k]), Got: "(not sent)"})
		case v != want.Headers[k]:
			out = append(out, Finding{Where: key + " headers." + k, Expected: quote(want.Headers[k]), Got: quote(v)})
		}
	}
	if want.HasBody {
		body := decodeBody(got.Body)
		if s, isStr := want.Body.(string); !(isStr && s == got.Body) {
			var diffs []Finding
			diffValue(key+" body", want.Body, body, &diffs)
			slices.SortStableFunc(diffs, func(a, b Finding) int { return strings.Compare(a.Where, b.Where) })
			out = append(out, diffs...)
		}
	}
	return out
}

// decodeBody is a sent body as a test compares it: JSON decoded as rules
// decode it, else the text, nil when empty.
func decodeBody(b string) any {
	if b == "" {
		return nil
	}
	if v, err := rules.DecodeJSON([]byte(b)); err == nil {
		return v
	}
	return b
}

// diffValue reports where want and got differ, by path, so one changed
// field in a large body is one line.
func diffValue(path string, want, got any, out *[]Finding) {
	wm, wok := want.(map[string]any)
	gm, gok := got.(map[string]any)
	if wok && gok {
		for _, k := range slices.Sorted(maps.Keys(wm)) {
			if g, ok := gm[k]; ok {
				diffValue(path+"."+k, wm[k], g, out)
			} else {
				*out = append(*out, Finding{Where: path + "." + k, Expected: show(wm[k]), Got: "(absent)"})
			}
		}
		for _, k := range slices.Sorted(maps.Keys(gm)) {
			if _, ok := wm[k]; !ok {
				*out = append(*out, Finding{Where: path + "." + k, Expected: "(absent)", Got: show(gm[k])})
			}
		}
		return
	}
	wl, wok := want.([]any)
	gl, gok := got.([]any)
	if wok && gok && len(wl) == len(gl) {
		for i := range wl {
			diffValue(fmt.Sprintf("%s[%d]", path, i), wl[i], gl[i], out)
		}
		return
	}
	if !reflect.DeepEqual(want, got) {
		*out = append(*out, Finding{Where: path, Expected: show(want), Got: show(got)})
	}
}

// show writes a value as JSON, so "598.94" and 598.94 look different.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func quote(s string) string { return show(s) }
