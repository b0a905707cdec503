package ruletest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers"
)

// DefaultReceivedAt is event.received_at unless a case sets it, so rendered
// output does not depend on when the test runs.
var DefaultReceivedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Runner runs cases against one loaded project. It is safe for concurrent use.
type Runner struct {
	rules        *rules.Engine
	integrations *integrations.Set
	triggers     *triggers.Set
}

// New prepares a runner for p.
func New(p *project.Project) (*Runner, error) {
	return &Runner{rules: p.Rules, integrations: p.Integrations, triggers: p.Triggers}, nil
}

// Step kinds as a StepRun reports them.
const (
	KindCall    = "call"
	KindSleep   = "sleep"
	KindWaitFor = "wait_for"
)

// StepRun is what one step did in the offline run.
type StepRun struct {
	Rule, ID string
	Kind     string
	Status   string // "succeeded", "skipped", or "error"
	Note     string // why it was skipped, how long it sleeps, how the wait ended
	Request  *integrations.RecordedRequest
	Err      error
}

// Key is "rule/step".
func (s StepRun) Key() string { return s.Rule + "/" + s.ID }

// Result is one case's run: what happened and how it differs from Expect.
type Result struct {
	Case     *Case
	Rules    []string // matched, in name order
	Steps    []StepRun
	Err      error     // the case could not run (unknown trigger, bad event)
	Problems []Finding // differences and errors; empty means the case passed
}

// Passed reports whether the case passed.
func (r *Result) Passed() bool { return r.Err == nil && len(r.Problems) == 0 }

// Run runs one case and compares it with its expectations.
func (r *Runner) Run(c *Case) *Result {
	res := r.exec(c)
	if res.Err == nil {
		res.Problems = compare(c, res)
	}
	return res
}

func (r *Runner) exec(c *Case) *Result {
	res := &Result{Case: c}
	in, err := r.input(c)
	if err != nil {
		res.Err = err
		return res
	}
	plan, err := r.rules.Match(in)
	if err != nil {
		res.Err = fmt.Errorf("match: %w", err)
		return res
	}
	for _, rule := range plan.Rules {
		res.Rules = append(res.Rules, rule.Name)
		res.Steps = append(res.Steps, r.walk(c, in, rule)...)
	}
	return res
}

// input builds the event as the trigger would: lower-cased headers without
// credentials, then the id and type from the case or the trigger's rules.
func (r *Runner) input(c *Case) (rules.Input, error) {
	t, ok := r.triggers.Get(c.Trigger)
	if !ok {
		return rules.Input{}, fmt.Errorf("unknown trigger %q (configured: %s)", c.Trigger, strings.Join(r.triggers.Names(), ", "))
	}
	raw := http.Header{}
	for k, v := range c.Event.Headers {
		raw.Set(k, v)
	}
	headers := t.EventHeaders(raw)
	in := rules.Input{
		Event:   rules.Event{ID: c.Event.ID, Type: c.Event.Type, Trigger: c.Trigger, ReceivedAt: c.Event.ReceivedAt},
		Headers: headers,
		Payload: c.Event.Payload,
	}
	if in.Event.ReceivedAt.IsZero() {
		in.Event.ReceivedAt = DefaultReceivedAt
	}
	body, _ := json.Marshal(in.Payload)
	id, typ, err := t.Event(headers, in.Payload, body)
	if err != nil {
		return in, err
	}
	if in.Event.ID == "" {
		in.Event.ID = id
	}
	if in.Event.Type == "" {
		in.Event.Type = typ
	}
	return in, nil
}

// walk runs a rule's steps in needs order (in file order among the ready
// ones), as the workflow would if every call succeeded with its stubbed
// output. A step whose needs did not all succeed is skipped, as is one whose
// `if` is false. on_failure steps do not run: nothing fails offline.
func (r *Runner) walk(c *Case, in rules.Input, rule rules.PlannedRule) []StepRun {
	states := map[string]rules.StepState{}
	done := make([]bool, len(rule.Steps))
	var out []StepRun
	for progress := true; progress; {
		progress = false
		for i, step := range rule.Steps {
			if done[i] || !needsDone(step, states) {
				continue
			}
			done[i], progress = true, true
			run := r.step(c, in, rule.Name, step, states)
			out = append(out, run)
		}
	}
	return out
}

func needsDone(step rules.Step, states map[string]rules.StepState) bool {
	for _, n := range step.Needs {
		if _, ok := states[n]; !ok {
			return false
		}
	}
	return true
}

func (r *Runner) step(c *Case, in rules.Input, rule string, step rules.Step, states map[string]rules.StepState) StepRun {
	run := StepRun{Rule: rule, ID: step.ID, Kind: KindCall}
	switch {
	case step.Sleep > 0:
		run.Kind = KindSleep
	case step.WaitFor != nil:
		run.Kind = KindWaitFor
	}
	skip := func(note string) StepRun {
		run.Status, run.Note = "skipped", note
		states[step.ID] = rules.StepState{Status: "skipped"}
		return run
	}
	fail := func(err error) StepRun {
		run.Status, run.Err = "error", err
		states[step.ID] = rules.StepState{Status: "failed"}
		return run
	}
	for _, n := range step.Needs {
		if states[n].Status != "succeeded" {
			return skip(fmt.Sprintf("needs %s, which was %s", n, states[n].Status))
		}
	}
	scope := rules.Scope{Input: in, Steps: states}
	if step.If != "" {
		ok, err := r.rules.EvalBool(step.If, scope)
		if err != nil {
			return fail(fmt.Errorf("if: %w", err))
		}
		if !ok {
			return skip("if is false: " + step.If)
		}
	}
	stub, stubbed := c.output(rule, step.ID)
	switch run.Kind {
	case KindSleep:
		run.Note = "sleeps " + formatDuration(step.Sleep)
		states[step.ID] = rules.StepState{Status: "succeeded"}
	case KindWaitFor:
		w := step.WaitFor
		what := "signal " + w.Signal
		if len(w.Events) > 0 {
			what = "event " + strings.Join(w.Events, " or ")
		}
		matched := stubbed
		if stubbed && w.Match != "" {
			ok, err := r.rules.EvalMatch(w.Match, scope, stub)
			if err != nil {
				return fail(fmt.Errorf("wait_for.match: %w", err))
			}
			matched = ok
		}
		switch {
		case matched:
			run.Note = what + " received (stubbed output)"
			states[step.ID] = rules.StepState{Status: "succeeded", Output: stub}
		case stubbed:
			run.Note = what + " does not match wait_for.match: times out"
			states[step.ID] = rules.StepState{Status: "succeeded", TimedOut: true}
		default:
			run.Note = "no " + what + " stubbed in outputs: times out"
			states[step.ID] = rules.StepState{Status: "succeeded", TimedOut: true}
		}
	default:
		with, err := r.rules.Render(step.With, scope)
		if err != nil {
			return fail(fmt.Errorf("render: %w", err))
		}
		input, ok := with.(map[string]any)
		if with != nil && !ok {
			return fail(fmt.Errorf("with must be a mapping, got %T", with))
		}
		req, err := r.integrations.Build(integrations.Call{
			Integration:    step.Integration(),
			Operation:      step.Operation(),
			Input:          input,
			IdempotencyKey: in.Event.Trigger + "/" + in.Event.ID + "/" + rule + "/" + step.ID,
		})
		if err != nil {
			return fail(err)
		}
		run.Request = &req
		states[step.ID] = rules.StepState{Status: "succeeded", Output: stub}
	}
	run.Status = "succeeded"
	return run
}

// output is the stubbed output for rule/step, else for the step id.
func (c *Case) output(rule, step string) (any, bool) {
	if v, ok := c.Outputs[rule+"/"+step]; ok {
		return v, true
	}
	v, ok := c.Outputs[step]
	return v, ok
}

// formatDuration writes whole days as 3d, like rule files do.
func formatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}
