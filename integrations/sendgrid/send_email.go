package sendgrid

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/hookflow/hookflow/integrations"
)

// SendGrid's limit on recipients (to + cc + bcc) in one personalization.
const maxRecipients = 1000

// sendEmail sends one email to its recipients:
//
//	call: mail.send_email
//	with:
//	  to: ${{ payload.email }}               # required: an address, or a list of them
//	  subject: "Order ${{ payload.name }}"   # required unless template_id
//	  text: "Thanks for your order"          # text and/or html, unless template_id
//	  html: "<p>Thanks for your order</p>"
//	  cc: [ops@shop.example]
//	  bcc: [archive@shop.example]
//	  reply_to: support@shop.example
//	  from: orders@shop.example              # default: the integration's from
//	  from_name: Acme Shop
//	  template_id: d-0123456789abcdef        # a dynamic template
//	  template_data: { name: "${{ payload.customer.first_name }}" }
//	  categories: [orders]
//
// POST /v3/mail/send; SendGrid answers 202 Accepted with an empty body and
// the message id in X-Message-Id. Output: {accepted: true, id}.
func sendEmail(defaultFrom, defaultName string) *integrations.Op {
	return &integrations.Op{
		Path:     "v3/mail/send",
		Required: []string{"to"},
		Optional: []string{"cc", "bcc", "subject", "text", "html", "reply_to", "from", "from_name", "template_id", "template_data", "categories"},
		Build: func(in *integrations.In) (any, error) {
			return message(in.With, defaultFrom, defaultName)
		},
		Output: func(r *integrations.Response) (any, error) {
			return map[string]any{"accepted": true, "id": r.Header.Get("X-Message-Id")}, nil
		},
	}
}

type address struct {
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// message is the Mail Send body.
func message(w integrations.With, defaultFrom, defaultName string) (any, error) {
	p := map[string]any{}
	total := 0
	// SendGrid refuses (400) an address that appears twice across to, cc
	// and bcc, ignoring case: each goes once, in the first list it is in.
	seen := map[string]bool{}
	for _, f := range []string{"to", "cc", "bcc"} {
		all, err := addresses(w, f)
		if err != nil {
			return nil, err
		}
		var list []address
		for _, a := range all {
			if k := strings.ToLower(a.Email); !seen[k] {
				seen[k] = true
				list = append(list, a)
			}
		}
		if f == "to" && len(list) == 0 {
			return nil, fmt.Errorf("with.to must name at least one address")
		}
		if len(list) > 0 {
			p[f] = list
		}
		total += len(list)
	}
	if total > maxRecipients {
		return nil, fmt.Errorf("with.to, cc and bcc have %d recipients; SendGrid takes at most %d", total, maxRecipients)
	}
	str := func(f string) (string, error) { return w.OptString(f) }
	subject, err := str("subject")
	if err != nil {
		return nil, err
	}
	text, err := str("text")
	if err != nil {
		return nil, err
	}
	html, err := str("html")
	if err != nil {
		return nil, err
	}
	template, err := str("template_id")
	if err != nil {
		return nil, err
	}
	data, err := w.Map("template_data")
	if err != nil {
		return nil, err
	}
	msg := map[string]any{"personalizations": []any{p}}
	if template != "" {
		msg["template_id"] = template
		if data != nil {
			p["dynamic_template_data"] = data
		}
	} else {
		if data != nil {
			return nil, fmt.Errorf("with.template_data needs with.template_id")
		}
		if subject == "" {
			return nil, fmt.Errorf("with.subject is required (unless with.template_id is given)")
		}
		if text == "" && html == "" {
			return nil, fmt.Errorf("with.text or with.html is required (unless with.template_id is given)")
		}
	}
	if subject != "" {
		msg["subject"] = subject
	}
	// text/plain must come before text/html.
	var content []any
	if text != "" {
		content = append(content, map[string]any{"type": "text/plain", "value": text})
	}
	if html != "" {
		content = append(content, map[string]any{"type": "text/html", "value": html})
	}
	if content != nil {
		msg["content"] = content
	}
	from, err := str("from")
	if err != nil {
		return nil, err
	}
	fromName, err := str("from_name")
	if err != nil {
		return nil, err
	}
	if from == "" {
		from, fromName = defaultFrom, firstOf(fromName, defaultName)
	}
	if from == "" {
		return nil, fmt.Errorf("with.from is required (the integration sets no from address)")
	}
	fa, err := parseAddress("from", from)
	if err != nil {
		return nil, err
	}
	if fromName != "" {
		fa.Name = fromName
	}
	msg["from"] = fa
	if rt, err := str("reply_to"); err != nil {
		return nil, err
	} else if rt != "" {
		a, err := parseAddress("reply_to", rt)
		if err != nil {
			return nil, err
		}
		msg["reply_to"] = a
	}
	cats, err := w.Strings("categories")
	if err != nil {
		return nil, err
	}
	if cats != nil {
		msg["categories"] = cats
	}
	return msg, nil
}

// addresses reads an address or a list of them ("Ada <ada@example.com>"
// works too).
func addresses(w integrations.With, field string) ([]address, error) {
	list, err := w.Strings(field)
	if err != nil {
		return nil, err
	}
	out := make([]address, 0, len(list))
	for _, s := range list {
		a, err := parseAddress(field, s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func parseAddress(field, s string) (address, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil {
		return address{}, fmt.Errorf("with.%s must be an email address", field)
	}
	return address{Email: a.Address, Name: a.Name}, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
