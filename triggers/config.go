package triggers

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr/vm"
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers/verify"
)

// DefaultBodyLimit bounds a webhook body unless the trigger sets body_limit.
const DefaultBodyLimit = 1 << 20

// DefaultDedupeWindow is how long a body is remembered by triggers whose
// scheme signs neither a timestamp nor a delivery id (see dedupeByDefault).
const DefaultDedupeWindow = 24 * time.Hour

// Trigger is one configured trigger, compiled and ready to serve. It holds
// configuration only; the state that serving needs (rate limiters, the body
// dedupe cache) lives in the Server.
type Trigger struct {
	Name      string
	Verify    verify.Config
	verifier  verify.Verifier
	defaults  verify.Defaults
	idExpr    *vm.Program // nil: the scheme's default
	typeExpr  *vm.Program
	corrExpr  *vm.Program // nil: the trigger's events are not correlated
	schema    *Schema
	BodyLimit int64
	// Body is the body format the trigger reads: BodyJSON (default) or BodyForm.
	Body BodyFormat
	// RateLimit is the trigger's rate_limit, nil when unlimited.
	RateLimit *RateLimit
	// AllowIPs are the networks requests may come from; empty allows all.
	AllowIPs []netip.Prefix
	// DedupeWindow is how long a body's sha256 is remembered to answer a
	// replay under a new delivery id with the original run; 0 disables.
	DedupeWindow time.Duration
	// CorrelateBuffer is how long a correlated event waits for a run to
	// wait for it (correlate_buffer); 0 when the trigger does not correlate.
	CorrelateBuffer time.Duration
	// EventID is the event_id expression as written; "" is the scheme's default.
	EventID string
}

// DefaultCorrelateBuffer keeps a correlated event for runs that start
// waiting after it arrived (a provider delivering out of order).
const DefaultCorrelateBuffer = 24 * time.Hour

// maxCorrelateBuffer keeps buffered events well inside a namespace's
// retention, beyond which the event they refer to is gone.
const maxCorrelateBuffer = 30 * 24 * time.Hour

// Set is a project's triggers by name.
type Set struct {
	byName map[string]*Trigger
}

// Get returns the trigger called name.
func (s *Set) Get(name string) (*Trigger, bool) {
	t, ok := s.byName[name]
	return t, ok
}

// Unverified lists, sorted, the triggers that accept unsigned requests
// (verify.scheme none), so that the server can warn about them at start.
func (s *Set) Unverified() []string {
	if s == nil {
		return nil
	}
	var out []string
	for _, n := range s.Names() {
		if strings.EqualFold(strings.TrimSpace(s.byName[n].Verify.Scheme), "none") {
			out = append(out, n)
		}
	}
	return out
}

// Correlating lists, sorted, the triggers that set `correlate`: their events
// can resume runs waiting in a wait_for.event.
func (s *Set) Correlating() []string {
	out := []string{}
	for _, n := range s.Names() {
		if s.byName[n].corrExpr != nil {
			out = append(out, n)
		}
	}
	return out
}

// Names lists the trigger names, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

var triggerFields = []string{"verify", "event_id", "event_type", "schema", "body", "body_limit", "rate_limit", "burst", "allow_ips", "dedupe_window", "correlate", "correlate_buffer"}

// Load compiles the `triggers:` mapping of hookflow.yaml. file names the file
// in error positions; every error is reported, one per line, as
// "file:line:col: message".
func Load(file string, node *yaml.Node) (*Set, error) {
	set := &Set{byName: map[string]*Trigger{}}
	if node == nil {
		return set, nil
	}
	var errs []error
	fail := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d:%d: %s", file, n.Line, n.Column, fmt.Sprintf(format, args...)))
	}
	if node.Kind != yaml.MappingNode {
		fail(node, "triggers must be a mapping of trigger name to settings")
		return nil, errors.Join(errs...)
	}
	for i := 0; i+1 < len(node.Content); i += 2 {
		key, val := node.Content[i], node.Content[i+1]
		name := key.Value
		if !nameRE.MatchString(name) {
			fail(key, "trigger name %q: use lower-case letters, digits, - and _ (it becomes the URL /hooks/%s)", name, name)
			continue
		}
		t, tErrs := loadTrigger(file, name, val)
		errs = append(errs, tErrs...)
		if t != nil {
			set.byName[name] = t
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return set, nil
}

func loadTrigger(file, name string, node *yaml.Node) (*Trigger, []error) {
	var errs []error
	fail := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s:%d:%d: triggers.%s: %s", file, n.Line, n.Column, name, fmt.Sprintf(format, args...)))
	}
	if node.Kind != yaml.MappingNode {
		fail(node, "must be a mapping with at least `verify`")
		return nil, errs
	}
	t := &Trigger{Name: name, BodyLimit: DefaultBodyLimit}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k := node.Content[i]
		if !contains(triggerFields, k.Value) {
			fail(k, "unknown field %q (known: %s)", k.Value, strings.Join(triggerFields, ", "))
			continue
		}
		fields[k.Value] = node.Content[i+1]
	}
	v, ok := fields["verify"]
	if !ok {
		fail(node, "verify is required; write `verify: {scheme: none}` to accept unsigned requests")
	} else if err := v.Decode(&t.Verify); err != nil {
		fail(v, "verify: %v", yamlMessage(err))
	} else if t.verifier, err = verify.New(t.Verify); err != nil {
		fail(v, "%v", err)
	} else {
		t.defaults = verify.SchemeDefaults(t.Verify)
	}
	for _, f := range []struct {
		key  string
		dest **vm.Program
	}{{"event_id", &t.idExpr}, {"event_type", &t.typeExpr}, {"correlate", &t.corrExpr}} {
		n, ok := fields[f.key]
		if !ok {
			continue
		}
		p, err := compileEventExpr(n.Value)
		if err != nil {
			fail(n, "%s: %v", f.key, err)
			continue
		}
		*f.dest = p
		if f.key == "event_id" {
			t.EventID = strings.TrimSpace(n.Value)
		}
	}
	if n, ok := fields["schema"]; ok {
		s, sErrs := loadSchema(n)
		for _, e := range sErrs {
			fail(e.node, "schema: %s", e.msg)
		}
		t.schema = s
	}
	if n, ok := fields["body_limit"]; ok {
		limit, err := parseSize(n.Value)
		if err != nil {
			fail(n, "body_limit: %v", err)
		} else {
			t.BodyLimit = limit
		}
	}
	if n, ok := fields["body"]; ok {
		f, err := parseBodyFormat(n)
		if err != nil {
			fail(n, "body: %v", err)
		}
		t.Body = f
	}
	if n, ok := fields["rate_limit"]; ok {
		rl, err := parseRateLimit(n.Value)
		if err != nil {
			fail(n, "rate_limit: %v", err)
		}
		t.RateLimit = rl
	}
	if n, ok := fields["burst"]; ok {
		b, err := parseBurst(n.Value)
		switch {
		case err != nil:
			fail(n, "burst: %v", err)
		case t.RateLimit == nil:
			if _, hasRate := fields["rate_limit"]; !hasRate {
				fail(n, "burst only applies with rate_limit; add e.g. `rate_limit: 100/s` or remove burst")
			}
		default:
			t.RateLimit.Burst = b
		}
	}
	if n, ok := fields["allow_ips"]; ok {
		prefixes, msgs := parseAllowIPs(n)
		for _, m := range msgs {
			fail(m.node, "allow_ips: %s", m.msg)
		}
		t.AllowIPs = prefixes
	}
	t.DedupeWindow = defaultDedupeWindow(t.Verify)
	if n, ok := fields["dedupe_window"]; ok {
		d, err := parseWindow(n.Value)
		if err != nil {
			fail(n, "dedupe_window: %v", err)
		}
		t.DedupeWindow = d
	}
	if t.corrExpr != nil {
		t.CorrelateBuffer = DefaultCorrelateBuffer
	}
	if n, ok := fields["correlate_buffer"]; ok {
		d, err := rules.ParseDuration(n.Value)
		switch {
		case t.corrExpr == nil:
			fail(n, "correlate_buffer only applies with correlate; add `correlate: <expression>` or remove it")
		case err != nil:
			fail(n, "correlate_buffer: %v", err)
		case d > maxCorrelateBuffer:
			fail(n, "correlate_buffer: %s is longer than 30d", n.Value)
		default:
			t.CorrelateBuffer = d
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return t, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlMessage drops yaml.v3's "yaml: unmarshal errors:\n  line N:" framing:
// positions are added by the caller.
func yamlMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = strings.TrimSpace(msg)
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i > 0 {
		msg = msg[i+2:]
	}
	return msg
}
