package ruletest

import (
	"bytes"
	"os"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// skipHeaders are sent on every request and say nothing about the rule;
// the Standard Webhooks signature changes with the second it is made in, so
// a pinned one failed the case a second later.
var skipHeaders = []string{"user-agent", "idempotency-key", "webhook-id", "webhook-timestamp", "webhook-signature"}

// Update rewrites the expect of each case in results (which must belong to
// f) from what was rendered: the matched rules, every call's request and
// the skipped steps. Cases that could not run keep their expectations. The
// file is written only when it changes.
func (f *File) Update(results []*Result) (bool, error) {
	for _, r := range results {
		if r.Case.File != f || r.Err != nil {
			continue
		}
		setKey(r.Case.node, "expect", expectNode(r))
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f.root); err != nil {
		return false, err
	}
	if err := enc.Close(); err != nil {
		return false, err
	}
	data := spaceCases(buf.Bytes())
	old, err := os.ReadFile(f.Path)
	if err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	return true, os.WriteFile(f.Path, data, 0o644)
}

// spaceCases puts a blank line between test cases, which the YAML encoder
// does not keep.
func spaceCases(b []byte) []byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	var out bytes.Buffer
	first := true
	for _, l := range lines {
		if bytes.HasPrefix(l, []byte("  - ")) {
			if !first {
				out.WriteByte('\n')
			}
			first = false
		}
		out.Write(l)
	}
	return out.Bytes()
}

func expectNode(r *Result) *yaml.Node {
	ex := mapping(0)
	rulesNode := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, name := range r.Rules {
		rulesNode.Content = append(rulesNode.Content, scalar(name))
	}
	setKey(ex, "rules", rulesNode)
	reqs := mapping(0)
	var skipped []string
	for _, s := range r.Steps {
		if s.Status == "skipped" {
			skipped = append(skipped, s.Key())
		}
		if s.Request == nil {
			continue
		}
		req := mapping(0)
		setKey(req, "method", scalar(s.Request.Method))
		setKey(req, "url", scalar(s.Request.URL))
		headers := mapping(yaml.FlowStyle)
		var names []string
		for k := range s.Request.Headers {
			if lk := strings.ToLower(k); !slices.Contains(skipHeaders, lk) {
				names = append(names, k)
			}
		}
		slices.SortFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
		for _, k := range names {
			setKey(headers, strings.ToLower(k), scalar(s.Request.Headers[k]))
		}
		if len(headers.Content) > 0 {
			setKey(req, "headers", headers)
		}
		if body := decodeBody(s.Request.Body); body != nil {
			var n yaml.Node
			if err := n.Encode(body); err == nil {
				setKey(req, "body", &n)
			}
		}
		setKey(reqs, s.Key(), req)
	}
	if len(reqs.Content) > 0 {
		setKey(ex, "requests", reqs)
	}
	if len(skipped) > 0 {
		list := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
		for _, k := range skipped {
			list.Content = append(list.Content, scalar(k))
		}
		setKey(ex, "skipped", list)
	}
	return ex
}

func mapping(style yaml.Style) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: style}
}

func scalar(s string) *yaml.Node {
	var n yaml.Node
	_ = n.Encode(s) // quotes strings that would read as another type
	return &n
}

// setKey replaces key's value in mapping m, or appends the pair.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}
