package whatsapp

import (
	"fmt"
	"regexp"

	"github.com/hookflow/hookflow/integrations"
)

// sendTemplate sends an approved message template, which needs no open
// 24-hour window:
//
//	call: wa.send_template
//	with:
//	  to: ${{ payload.customer.phone }}      # required
//	  template: order_shipped                # required: the template's name
//	  language: en_US                        # required: the template's language code
//	  body_parameters: ["${{ payload.customer.first_name }}", "${{ payload.name }}"]   # {{1}}, {{2}}, …
//	  header_parameters: ["${{ payload.name }}"]   # a text header's {{1}}
//	  components: [...]                      # instead: the Cloud API's components, as they are
//	  phone_number_id: "106540352242922"     # default: the integration's
//
// POST /{version}/{phone_number_id}/messages with type template. Output as
// send_text's.
func sendTemplate(from string) *integrations.Op {
	return &integrations.Op{
		Path:     "{phone_number_id}/messages",
		Required: []string{"to", "template", "language"},
		Optional: []string{"body_parameters", "header_parameters", "components", "phone_number_id"},
		Build: func(in *integrations.In) (any, error) {
			body, err := message(in, from, "template")
			if err != nil {
				return nil, err
			}
			name, err := in.String("template")
			if err != nil {
				return nil, err
			}
			if !templateRE.MatchString(name) {
				return nil, fmt.Errorf("with.template must be a template name: lower-case letters, digits and _")
			}
			lang, err := in.String("language")
			if err != nil {
				return nil, err
			}
			if !langRE.MatchString(lang) {
				return nil, fmt.Errorf("with.language must be a template language code such as en_US or de")
			}
			t := map[string]any{"name": name, "language": map[string]any{"code": lang}}
			components, err := in.List("components")
			if err != nil {
				return nil, err
			}
			if components != nil && (in.Has("body_parameters") || in.Has("header_parameters")) {
				return nil, fmt.Errorf("with.components and with.body_parameters/header_parameters: give one")
			}
			if components == nil {
				for _, part := range []string{"header", "body"} {
					c, err := textParameters(in, part)
					if err != nil {
						return nil, err
					}
					if c != nil {
						components = append(components, c)
					}
				}
			}
			if len(components) > 0 {
				t["components"] = components
			}
			body["template"] = t
			return body, nil
		},
		Output: sent,
	}
}

var (
	templateRE = regexp.MustCompile(`^[a-z0-9_]{1,512}$`)
	langRE     = regexp.MustCompile(`^[a-z]{2,3}(_[A-Z]{2})?$`)
)

// textParameters is the component {type, parameters: [{type: text, text}]}
// of with.<part>_parameters, or nil.
func textParameters(in *integrations.In, part string) (map[string]any, error) {
	field := part + "_parameters"
	list, err := in.List(field)
	if err != nil || list == nil {
		return nil, err
	}
	params := make([]any, len(list))
	for i, v := range list {
		s, ok := integrations.Scalar(v)
		if !ok || v == nil || s == "" {
			return nil, fmt.Errorf("with.%s[%d] must be a non-empty string or number, got %s", field, i, integrations.Describe(v))
		}
		params[i] = map[string]any{"type": "text", "text": s}
	}
	return map[string]any{"type": part, "parameters": params}, nil
}
