package twilio

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hookflow/hookflow/integrations"
)

// maxBody is Twilio's limit on a message body, in characters.
const maxBody = 1600

// sendSMS sends a text message (also WhatsApp: to "whatsapp:+1…"):
//
//	call: sms.send_sms
//	with:
//	  to: ${{ payload.customer.phone }}          # required, E.164 (+14155550100)
//	  body: "Your order ${{ payload.name }} shipped"   # ≤ 1600 characters; body, media_url or content_sid
//	  from: "+15557654321"                       # default: the integration's from
//	  messaging_service_sid: MG…                 # instead of from
//	  media_url: [https://…/label.png]           # MMS; body may then be left out
//	  content_sid: HX…                           # a Content Template (WhatsApp templates) instead of body
//	  content_variables: {"1": "${{ payload.customer.first_name }}"}
//	  status_callback: https://…/twilio-status
//
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, with
// HTTP basic auth. Output: {id, sid, status, to, from}: id is the Message
// SID (SM…).
func sendSMS(defaultFrom, defaultService string) *integrations.Op {
	return &integrations.Op{
		Path:     "Messages.json",
		Required: []string{"to"},
		Optional: []string{"body", "from", "messaging_service_sid", "media_url", "content_sid", "content_variables", "status_callback"},
		Build: func(in *integrations.In) (any, error) {
			return nil, message(in, defaultFrom, defaultService)
		},
		Output: sent,
	}
}

// message reads the message's fields into the form.
func message(w *integrations.In, defaultFrom, defaultService string) error {
	to, err := w.String("to")
	if err != nil {
		return err
	}
	body, err := w.OptString("body")
	if err != nil {
		return err
	}
	if n := utf8.RuneCountInString(body); n > maxBody {
		return fmt.Errorf("with.body has %d characters; Twilio takes at most %d", n, maxBody)
	}
	form := url.Values{"To": {strings.TrimSpace(to)}}
	if body != "" {
		form.Set("Body", body)
	}
	if err := content(w, form); err != nil {
		return err
	}
	from, err := w.OptString("from")
	if err != nil {
		return err
	}
	service, err := w.OptString("messaging_service_sid")
	if err != nil {
		return err
	}
	switch {
	case from != "" && service != "":
		return fmt.Errorf("with.from and with.messaging_service_sid: give one, not both")
	case from != "":
	case service != "":
	case defaultService != "":
		service = defaultService
	default:
		from = defaultFrom
	}
	switch {
	case from != "":
		form.Set("From", from)
	case service != "":
		form.Set("MessagingServiceSid", service)
	default:
		return fmt.Errorf("with.from is required (the integration sets neither from nor messaging_service_sid)")
	}
	media, err := w.Strings("media_url")
	if err != nil {
		return err
	}
	for _, m := range media {
		form.Add("MediaUrl", m)
	}
	if body == "" && len(media) == 0 && !form.Has("ContentSid") {
		return fmt.Errorf("with.body, with.media_url or with.content_sid is required")
	}
	if cb, err := w.OptString("status_callback"); err != nil {
		return err
	} else if cb != "" {
		form.Set("StatusCallback", cb)
	}
	w.Form = form
	return nil
}

func sent(r *integrations.Response) (any, error) {
	var m struct {
		SID    string `json:"sid"`
		Status string `json:"status"`
		To     string `json:"to"`
		From   string `json:"from"`
	}
	if err := integrations.DecodeJSON(r, &m); err != nil {
		return nil, err
	}
	return map[string]any{"id": m.SID, "sid": m.SID, "status": m.Status, "to": m.To, "from": m.From}, nil
}

// content reads a Content Template: content_sid (HX…) and its variables,
// sent as ContentVariables, a JSON object of strings.
func content(w *integrations.In, form url.Values) error {
	sid, err := w.OptString("content_sid")
	if err != nil {
		return err
	}
	vars, err := w.Scalars("content_variables")
	if err != nil {
		return err
	}
	switch {
	case vars != nil && sid == "":
		return fmt.Errorf("with.content_variables needs with.content_sid")
	case sid == "":
		return nil
	}
	form.Set("ContentSid", strings.TrimSpace(sid))
	if vars != nil {
		b, err := json.Marshal(vars)
		if err != nil {
			return fmt.Errorf("with.content_variables: %v", err)
		}
		form.Set("ContentVariables", string(b))
	}
	return nil
}
