package triggers

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/rules"
)

// BodyFormat is the body a trigger reads, its `body:` setting.
type BodyFormat int

const (
	// BodyJSON (the default) reads a JSON document. The request's
	// Content-Type, when it sends one, must be application/json or *+json.
	BodyJSON BodyFormat = iota
	// BodyForm reads application/x-www-form-urlencoded fields (Slack slash
	// commands and interactivity, Twilio, GitHub's form option). The payload
	// is a map of each field's first value; a `payload` field holding a JSON
	// object or list, as Slack and GitHub send, is decoded.
	BodyForm
)

const formType = "application/x-www-form-urlencoded"

func (f BodyFormat) String() string {
	if f == BodyForm {
		return "form"
	}
	return "json"
}

func parseBodyFormat(n *yaml.Node) (BodyFormat, error) {
	switch n.Value {
	case "json":
		return BodyJSON, nil
	case "form":
		return BodyForm, nil
	}
	return BodyJSON, fmt.Errorf("%q is not a body format; write json (the default) or form (application/x-www-form-urlencoded)", n.Value)
}

// decodePayload checks the Content-Type against the trigger's format and
// decodes the (already verified) body. A request without a Content-Type is
// read in the trigger's format.
func decodePayload(format BodyFormat, contentType string, body []byte) (any, error) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil && !(errors.Is(err, mime.ErrInvalidMediaParameter) && mt != "") {
			return nil, reject(http.StatusBadRequest, fmt.Sprintf("Content-Type %q cannot be parsed; send %s", contentType, wantType(format)))
		}
		if !formatAccepts(format, mt) {
			return nil, reject(http.StatusBadRequest, wrongType(format, mt))
		}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, reject(http.StatusBadRequest, "body is empty; send "+wantType(format))
	}
	if format == BodyForm {
		return decodeForm(body)
	}
	return decodeJSON(body)
}

func formatAccepts(format BodyFormat, mediaType string) bool {
	if format == BodyForm {
		return mediaType == formType
	}
	return mediaType == "application/json" || strings.HasSuffix(mediaType, "+json")
}

func wantType(format BodyFormat) string {
	if format == BodyForm {
		return "a form-encoded body (Content-Type: " + formType + ")"
	}
	return "a JSON document (Content-Type: application/json)"
}

func wrongType(format BodyFormat, got string) string {
	if format == BodyForm {
		return fmt.Sprintf("Content-Type %s is not accepted: this trigger reads form-encoded bodies (body: form); send %s, or remove `body: form` from the trigger to read JSON", got, formType)
	}
	if got == formType {
		return fmt.Sprintf("Content-Type %s is not accepted: this trigger reads JSON; send application/json, or set `body: form` on the trigger to read form-encoded bodies", got)
	}
	return fmt.Sprintf("Content-Type %s is not accepted: this trigger reads JSON; send application/json", got)
}

func decodeJSON(body []byte) (any, error) {
	v, err := rules.DecodeJSON(body)
	if err != nil {
		return nil, reject(http.StatusBadRequest, "body is not valid JSON: "+err.Error())
	}
	return v, nil
}

// decodeForm maps each field to its first value. Slack's interactivity and
// GitHub's form deliveries put the event, as JSON, in the `payload` field: a
// value there that parses as a JSON object or list becomes that structure.
func decodeForm(body []byte) (any, error) {
	values, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, reject(http.StatusBadRequest, "body is not valid form encoding: "+err.Error())
	}
	out := make(map[string]any, len(values))
	for k, vs := range values {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	if p, ok := out["payload"].(string); ok {
		if s := strings.TrimSpace(p); strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[") {
			if v, err := rules.DecodeJSON([]byte(s)); err == nil {
				out["payload"] = v
			}
		}
	}
	return out, nil
}
