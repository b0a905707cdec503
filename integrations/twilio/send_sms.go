package twilio

import (
	"fmt"
	"net/http"
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
//	  body: "Your order ${{ payload.name }} shipped"   # required, ≤ 1600 characters
//	  from: "+15557654321"                       # default: the integration's from
//	  messaging_service_sid: MG…                 # instead of from
//	  media_url: [https://…/label.png]           # MMS
//	  status_callback: https://…/twilio-status
//
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, with
// HTTP basic auth. Output: {id, sid, status, to, from}: id is the Message
// SID (SM…).
type sendSMS struct {
	url, user, pass string
	from, service   string
}

var _ integrations.Operation = (*sendSMS)(nil)

func (*sendSMS) Required() []string { return []string{"to", "body"} }

func (o *sendSMS) Request(c integrations.Call) (*integrations.Request, error) {
	w := integrations.With(c.Input)
	if err := w.Known("to", "body", "from", "messaging_service_sid", "media_url", "status_callback"); err != nil {
		return nil, err
	}
	to, err := w.String("to")
	if err != nil {
		return nil, err
	}
	body, err := w.String("body")
	if err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(body); n > maxBody {
		return nil, fmt.Errorf("with.body has %d characters; Twilio takes at most %d", n, maxBody)
	}
	form := url.Values{"To": {strings.TrimSpace(to)}, "Body": {body}}
	from, err := w.OptString("from")
	if err != nil {
		return nil, err
	}
	service, err := w.OptString("messaging_service_sid")
	if err != nil {
		return nil, err
	}
	switch {
	case from != "" && service != "":
		return nil, fmt.Errorf("with.from and with.messaging_service_sid: give one, not both")
	case from != "":
	case service != "":
	case o.service != "":
		service = o.service
	default:
		from = o.from
	}
	switch {
	case from != "":
		form.Set("From", from)
	case service != "":
		form.Set("MessagingServiceSid", service)
	default:
		return nil, fmt.Errorf("with.from is required (the integration sets neither from nor messaging_service_sid)")
	}
	media, err := w.Strings("media_url")
	if err != nil {
		return nil, err
	}
	for _, m := range media {
		form.Add("MediaUrl", m)
	}
	if cb, err := w.OptString("status_callback"); err != nil {
		return nil, err
	} else if cb != "" {
		form.Set("StatusCallback", cb)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	h.Set("Accept", "application/json")
	h.Set("Authorization", integrations.BasicAuth(o.user, o.pass))
	return &integrations.Request{Method: http.MethodPost, URL: o.url, Header: h, Body: []byte(form.Encode())}, nil
}

func (*sendSMS) Output(r *integrations.Response) (any, error) {
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
