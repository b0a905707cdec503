package ruletest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/rules"
)

// maxFileSize caps a test file or an event file: payloads are small.
const maxFileSize = 4 << 20

// File is one *_test.yaml: its cases and the parsed document, kept for --update.
type File struct {
	Path  string
	Cases []*Case
	root  *yaml.Node
}

// Case is one test case.
type Case struct {
	File    *File
	Name    string
	Line    int
	Trigger string
	Event   Event
	// Outputs are stubbed step outputs by "rule/step" or step id; for a
	// wait_for step, the signal's payload.
	Outputs map[string]any
	Expect  Expect
	node    *yaml.Node
}

// Event is the case's event, before the trigger's defaults are applied.
type Event struct {
	ID, Type   string
	ReceivedAt time.Time
	Headers    map[string]string
	Payload    any
}

// Expect is what a case checks; a part that is absent is not checked.
type Expect struct {
	Rules    []string // exactly these rules match (any order)
	HasRules bool
	// Requests by "rule/step": the request each call step would send.
	Requests map[string]Request
	Skipped  []string // exactly these "rule/step" are skipped
	HasSkip  bool
}

// Request is an expected request: Headers are a subset match, Body an exact
// JSON match (or the exact text of a non-JSON body).
type Request struct {
	Method  string
	URL     string
	Headers map[string]string
	Body    any
	HasBody bool
}

// Problem is a file-level error at a position.
type Problem struct {
	File      string
	Line, Col int
	Msg       string
}

func (p Problem) Error() string { return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg) }

// Problems is every error found in the test files.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Discover lists the *_test.yaml files in dir, sorted.
func Discover(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), "_test.yaml") {
			paths = append(paths, filepath.Join(dir, e.Name()))
		}
	}
	return paths, nil
}

// ParseFile reads one test file. Every problem is returned, as Problems.
func ParseFile(path string) (*File, error) {
	data, err := readCapped(path)
	if err != nil {
		return nil, Problems{{File: path, Line: 1, Col: 1, Msg: err.Error()}}
	}
	return Parse(path, data)
}

// Parse parses a test file's content; path is used in messages and to
// resolve event files.
func Parse(path string, data []byte) (*File, error) {
	p := &parser{file: &File{Path: path}}
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: path, Line: 1, Col: 1, Msg: "test file is empty; write tests: [...]"}}
		}
		line := 1
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
			msg = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		}
		return nil, Problems{{File: path, Line: line, Col: 1, Msg: "yaml: " + msg}}
	}
	p.file.root = &root
	doc := root.Content[0]
	p.fields(doc, "test file", map[string]func(*yaml.Node){
		"tests": func(v *yaml.Node) {
			if v.Kind != yaml.SequenceNode {
				p.errorf(v, "tests must be a list of test cases")
				return
			}
			for _, c := range v.Content {
				if tc := p.parseCase(c); tc != nil {
					p.file.Cases = append(p.file.Cases, tc)
				}
			}
		},
	}, "tests")
	names := map[string]int{}
	for _, c := range p.file.Cases {
		if line, dup := names[c.Name]; dup {
			p.errorf(c.node, "duplicate test name %q (first at line %d)", c.Name, line)
		}
		names[c.Name] = c.Line
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return p.file, nil
}

func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("larger than %d MiB", maxFileSize>>20)
	}
	return data, nil
}

type parser struct {
	file     *File
	problems Problems
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.problems = append(p.problems, Problem{File: p.file.Path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// fields dispatches a mapping's keys to handlers, reporting unknown and
// missing ones.
func (p *parser) fields(n *yaml.Node, what string, handlers map[string]func(*yaml.Node), required ...string) bool {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping", what)
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		h, ok := handlers[k.Value]
		if !ok {
			known := make([]string, 0, len(handlers))
			for name := range handlers {
				known = append(known, name)
			}
			slices.Sort(known)
			p.errorf(k, "unknown field `%s` in %s (want %s)", k.Value, what, strings.Join(known, ", "))
			continue
		}
		if seen[k.Value] {
			p.errorf(k, "duplicate field `%s` in %s", k.Value, what)
			continue
		}
		seen[k.Value] = true
		h(v)
	}
	for _, r := range required {
		if !seen[r] {
			p.errorf(n, "%s is missing `%s`", what, r)
		}
	}
	return true
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errorf(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (p *parser) strList(n *yaml.Node, what string) []string {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list of strings", what)
		return nil
	}
	out := []string{}
	for _, c := range n.Content {
		out = append(out, p.str(c, what+" entries"))
	}
	return out
}

func (p *parser) strMap(n *yaml.Node, what string) map[string]string {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping of names to strings", what)
		return nil
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind != yaml.ScalarNode {
			p.errorf(v, "%s.%s must be a string", what, k.Value)
			continue
		}
		out[strings.ToLower(k.Value)] = v.Value
	}
	return out
}

// value decodes n as rules see JSON: exact integers as int64, other numbers
// as float64, mappings with string keys.
func (p *parser) value(n *yaml.Node, what string) any {
	var v any
	if err := n.Decode(&v); err != nil {
		p.errorf(n, "%s: %v", what, err)
		return nil
	}
	out, err := normalize(v)
	if err != nil {
		p.errorf(n, "%s: %v", what, err)
		return nil
	}
	return out
}

// normalize round-trips v through JSON so a YAML value compares equal to the
// same JSON value, whatever number types each decoder chose.
func normalize(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("not representable as JSON: %v", err)
	}
	return rules.DecodeJSON(data)
}

func (p *parser) parseCase(n *yaml.Node) *Case {
	c := &Case{File: p.file, Line: n.Line, node: n}
	ok := p.fields(n, "test case", map[string]func(*yaml.Node){
		"name":    func(v *yaml.Node) { c.Name = p.str(v, "name") },
		"trigger": func(v *yaml.Node) { c.Trigger = p.str(v, "trigger") },
		"event":   func(v *yaml.Node) { c.Event = p.parseEvent(v) },
		"outputs": func(v *yaml.Node) {
			if v.Kind != yaml.MappingNode {
				p.errorf(v, "outputs must be a mapping of rule/step or step id to the stubbed output")
				return
			}
			c.Outputs = map[string]any{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				c.Outputs[v.Content[i].Value] = p.value(v.Content[i+1], "outputs."+v.Content[i].Value)
			}
		},
		"expect": func(v *yaml.Node) { c.Expect = p.parseExpect(v) },
	}, "name", "trigger", "event")
	if !ok {
		return nil
	}
	return c
}

func (p *parser) parseEvent(n *yaml.Node) Event {
	var ev Event
	var file, payload, headers *yaml.Node
	p.fields(n, "event", map[string]func(*yaml.Node){
		"id":   func(v *yaml.Node) { ev.ID = p.str(v, "event.id") },
		"type": func(v *yaml.Node) { ev.Type = p.str(v, "event.type") },
		"received_at": func(v *yaml.Node) {
			t, err := time.Parse(time.RFC3339Nano, p.str(v, "event.received_at"))
			if err != nil {
				p.errorf(v, "event.received_at must be an RFC 3339 time like 2026-01-02T15:04:05Z")
			}
			ev.ReceivedAt = t
		},
		"headers": func(v *yaml.Node) { headers = v },
		"payload": func(v *yaml.Node) { payload = v },
		"file":    func(v *yaml.Node) { file = v },
	})
	if file != nil && payload != nil {
		p.errorf(payload, "event has both file and payload; use one")
	}
	if file != nil {
		ev.Headers, ev.Payload = p.eventFile(file)
	}
	if payload != nil {
		ev.Payload = p.value(payload, "event.payload")
	}
	if headers != nil {
		if ev.Headers == nil {
			ev.Headers = map[string]string{}
		}
		for k, v := range p.strMap(headers, "event.headers") {
			ev.Headers[k] = v // inline headers override the file's
		}
	}
	if file == nil && payload == nil && n.Kind == yaml.MappingNode {
		p.errorf(n, "event needs a payload, or a file holding one")
	}
	return ev
}

// eventFile reads an event file: the envelope {"headers": {}, "payload": {}}
// that `hookflow send` also reads, or a bare payload.
func (p *parser) eventFile(n *yaml.Node) (map[string]string, any) {
	rel := p.str(n, "event.file")
	if rel == "" {
		return nil, nil
	}
	path := rel
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(p.file.Path), rel)
	}
	data, err := readCapped(path)
	if err != nil {
		p.errorf(n, "event.file: %v", err)
		return nil, nil
	}
	v, err := rules.DecodeJSON(data)
	if err != nil {
		p.errorf(n, "event.file %s: not JSON: %v", rel, err)
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok || m["payload"] == nil || len(m) > 2 || (len(m) == 2 && m["headers"] == nil) {
		return nil, v // a bare payload
	}
	headers := map[string]string{}
	if hm, ok := m["headers"].(map[string]any); ok {
		for k, x := range hm {
			s, isStr := x.(string)
			if !isStr {
				p.errorf(n, "event.file %s: headers.%s must be a string", rel, k)
				continue
			}
			headers[strings.ToLower(k)] = s
		}
	} else if m["headers"] != nil {
		p.errorf(n, "event.file %s: headers must be an object of strings", rel)
	}
	return headers, m["payload"]
}

func (p *parser) parseExpect(n *yaml.Node) Expect {
	var ex Expect
	p.fields(n, "expect", map[string]func(*yaml.Node){
		"rules": func(v *yaml.Node) { ex.Rules, ex.HasRules = p.strList(v, "expect.rules"), true },
		"requests": func(v *yaml.Node) {
			if v.Kind != yaml.MappingNode {
				p.errorf(v, "expect.requests must be a mapping of rule/step to the expected request")
				return
			}
			ex.Requests = map[string]Request{}
			for i := 0; i+1 < len(v.Content); i += 2 {
				k := v.Content[i]
				if r, s, ok := strings.Cut(k.Value, "/"); !ok || r == "" || s == "" {
					p.errorf(k, "expect.requests key %q must be rule/step", k.Value)
					continue
				}
				ex.Requests[k.Value] = p.parseRequest(v.Content[i+1], "expect.requests."+k.Value)
			}
		},
		"skipped": func(v *yaml.Node) { ex.Skipped, ex.HasSkip = p.strList(v, "expect.skipped"), true },
	})
	return ex
}

func (p *parser) parseRequest(n *yaml.Node, what string) Request {
	var r Request
	p.fields(n, what, map[string]func(*yaml.Node){
		"method":  func(v *yaml.Node) { r.Method = p.str(v, what+".method") },
		"url":     func(v *yaml.Node) { r.URL = p.str(v, what+".url") },
		"headers": func(v *yaml.Node) { r.Headers = p.strMap(v, what+".headers") },
		"body":    func(v *yaml.Node) { r.Body, r.HasBody = p.value(v, what+".body"), true },
	})
	return r
}
