package smtp

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"code.dny.dev/ssrf"

	"github.com/hookflow/hookflow/integrations"
)

// maxRecipients (to + cc + bcc): RFC 5321 only obliges servers to take 100
// RCPT commands per message.
const maxRecipients = 100

// maxReply bounds the server text quoted in errors.
const maxReply = 300

// sendEmail sends one message to its recipients:
//
//	call: mailer.send_email
//	with:
//	  to: ${{ payload.email }}               # required: an address, or a list of them
//	  subject: "Order ${{ payload.name }}"   # required
//	  text: "Thanks for your order"          # text and/or html
//	  html: "<p>Thanks for your order</p>"
//	  cc: [ops@shop.example]
//	  bcc: [archive@shop.example]
//	  reply_to: support@shop.example
//
// EHLO, STARTTLS (unless tls: tls or none), AUTH PLAIN (with username),
// MAIL FROM, RCPT TO each recipient, DATA. The message carries a Message-ID
// derived from the call's idempotency key, the same on every attempt, so
// that receivers can drop a duplicate delivered by a retry. Output:
// {accepted: [recipients]}.
type sendEmail struct{ s *server }

var (
	_ integrations.Operation = (*sendEmail)(nil)
	_ integrations.Sender    = (*sendEmail)(nil)
	_ integrations.Previewer = (*sendEmail)(nil)
)

func (*sendEmail) Required() []string { return []string{"to", "subject"} }

// Request is never called: Set.Call uses Send.
func (*sendEmail) Request(integrations.Call) (*integrations.Request, error) {
	return nil, errors.New("smtp send_email is sent by SMTP, not HTTP")
}

// Output is never called: Set.Call uses Send.
func (*sendEmail) Output(*integrations.Response) (any, error) {
	return nil, errors.New("smtp send_email is sent by SMTP, not HTTP")
}

// message is a rendered email and its envelope.
type message struct {
	to         []*mail.Address // the To header
	recipients []string        // envelope: to, cc and bcc
	subject    string
	data       []byte // the message as sent after DATA, CRLF line endings
}

func (o *sendEmail) build(c integrations.Call, now time.Time) (*message, error) {
	w := integrations.With(c.Input)
	if err := w.Known("to", "cc", "bcc", "subject", "text", "html", "reply_to"); err != nil {
		return nil, err
	}
	m := &message{}
	lists := map[string][]*mail.Address{}
	seen := map[string]bool{}
	for _, f := range []string{"to", "cc", "bcc", "reply_to"} {
		list, err := addresses(w, f)
		if err != nil {
			return nil, err
		}
		lists[f] = list
		if f == "reply_to" {
			continue
		}
		for _, a := range list {
			if k := strings.ToLower(a.Address); !seen[k] {
				seen[k] = true
				m.recipients = append(m.recipients, a.Address)
			}
		}
	}
	m.to = lists["to"]
	if len(m.to) == 0 {
		return nil, fmt.Errorf("with.to must name at least one address")
	}
	if len(m.recipients) > maxRecipients {
		return nil, fmt.Errorf("with.to, cc and bcc have %d recipients; send_email takes at most %d", len(m.recipients), maxRecipients)
	}
	subject, err := w.String("subject")
	if err != nil {
		return nil, err
	}
	m.subject = subject
	text, err := w.OptString("text")
	if err != nil {
		return nil, err
	}
	html, err := w.OptString("html")
	if err != nil {
		return nil, err
	}
	if text == "" && html == "" {
		return nil, fmt.Errorf("with.text or with.html is required")
	}

	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", o.s.from.String())
	header("To", addressList(m.to))
	if cc := lists["cc"]; len(cc) > 0 {
		header("Cc", addressList(cc))
	}
	if rt := lists["reply_to"]; len(rt) > 0 {
		header("Reply-To", addressList(rt))
	}
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	_, domain, _ := strings.Cut(o.s.from.Address, "@")
	header("Message-ID", MessageID(c.IdempotencyKey, domain))
	header("MIME-Version", "1.0")
	if text != "" && html != "" {
		mw := multipart.NewWriter(&b)
		header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
		b.WriteString("\r\n")
		for _, p := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", html}} {
			pw, err := mw.CreatePart(textproto.MIMEHeader{
				"Content-Type":              {p.typ + "; charset=utf-8"},
				"Content-Transfer-Encoding": {"quoted-printable"},
			})
			if err != nil {
				return nil, err
			}
			writeQP(pw, p.body)
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
	} else {
		typ, body := "text/plain", text
		if html != "" {
			typ, body = "text/html", html
		}
		header("Content-Type", typ+"; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, body)
	}
	m.data = b.Bytes()
	return m, nil
}

// MessageID is the Message-ID of the call with idempotency key key: the same
// on every attempt (a random one when there is no key). Its right side is
// domain, the from address's: RFC 5322 asks for a domain the sender
// controls, and receivers' spam filters score one that is not.
func MessageID(key, domain string) string {
	var sum [32]byte
	if key == "" {
		rand.Read(sum[:])
	} else {
		sum = sha256.Sum256([]byte(key))
	}
	return "<" + hex.EncodeToString(sum[:16]) + "@" + strings.ToLower(domain) + ">"
}

func writeQP(w io.Writer, s string) {
	qw := quotedprintable.NewWriter(w)
	io.WriteString(qw, strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n"))
	qw.Close()
	io.WriteString(w, "\r\n")
}

// addressList renders a header's addresses, folded one a line.
func addressList(list []*mail.Address) string {
	parts := make([]string, len(list))
	for i, a := range list {
		parts[i] = a.String()
	}
	return strings.Join(parts, ",\r\n ")
}

// addresses reads an address or a list of them ("Ada <ada@example.com>"
// works too).
func addresses(w integrations.With, field string) ([]*mail.Address, error) {
	list, err := w.Strings(field)
	if err != nil {
		return nil, err
	}
	out := make([]*mail.Address, 0, len(list))
	for i, s := range list {
		a, err := mail.ParseAddress(s)
		if err != nil {
			if len(list) > 1 {
				return nil, fmt.Errorf("with.%s[%d] must be an email address", field, i)
			}
			return nil, fmt.Errorf("with.%s must be an email address", field)
		}
		out = append(out, a)
	}
	return out, nil
}

// record is the message as Result.Request records it (the Set redacts and
// caps it).
func (o *sendEmail) record(m *message) integrations.RecordedRequest {
	to := make([]string, len(m.to))
	for i, a := range m.to {
		to[i] = a.String()
	}
	return integrations.RecordedRequest{
		Method: "SMTP",
		URL:    "smtp://" + o.s.addr,
		Headers: map[string]string{
			"from":    o.s.from.String(),
			"to":      strings.Join(to, ", "),
			"subject": m.subject,
		},
		Body: string(m.data),
	}
}

// Preview is what Send would send, for `hookflow test`.
func (o *sendEmail) Preview(c integrations.Call) (integrations.RecordedRequest, error) {
	m, err := o.build(c, time.Now())
	if err != nil {
		return integrations.RecordedRequest{}, err
	}
	return o.record(m), nil
}

// Send delivers the message in one SMTP session. With XOAUTH2, a token
// the server refuses is fetched anew and the session run once more.
func (o *sendEmail) Send(ctx context.Context, c integrations.Call, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (integrations.Result, error) {
	var res integrations.Result
	m, err := o.build(c, time.Now())
	if err != nil {
		return res, err
	}
	res.Request = o.record(m)
	prefix := c.Integration + "." + c.Operation + ": smtp://" + o.s.addr + ": "
	reply, err := o.session(ctx, m, dial)
	if ae, ok := errors.AsType[*authRefused](err); ok {
		if r, ok := o.s.token.(integrations.Refresher); ok && ae.code >= 500 {
			r.Refresh()
			reply, err = o.session(ctx, m, dial)
		}
	}
	if err != nil {
		step := "session"
		if se, ok := err.(*stepError); ok {
			step, err = se.step, se.err
		}
		if ae, ok := err.(*authRefused); ok {
			err = ae.err
		}
		if ie, ok := err.(*integrations.Error); ok { // no token could be had
			return res, ie
		}
		e := o.classify(ctx, step, err)
		e.Message = prefix + e.Message
		return res, e
	}
	res.Response = &integrations.RecordedResponse{Status: 250, Body: "250 " + reply}
	res.Output = map[string]any{"accepted": m.recipients}
	return res, nil
}

// stepError is an SMTP step that failed.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }

func (e *stepError) Unwrap() error { return e.err }

// authRefused is an AUTH XOAUTH2 the server refused with code.
type authRefused struct {
	code int
	err  error
}

func (e *authRefused) Error() string { return e.err.Error() }

// session runs one SMTP session that sends m, and returns the server's
// reply to DATA.
func (o *sendEmail) session(ctx context.Context, m *message, dial func(ctx context.Context, network, addr string) (net.Conn, error)) (string, error) {
	fail := func(step string, err error) error { return &stepError{step: step, err: err} }
	conn, err := dial(ctx, "tcp", o.s.addr)
	if err != nil {
		return "", fail("connect", err)
	}
	defer conn.Close()
	// net/smtp knows no context: the deadline bounds every read and write,
	// and cancellation interrupts them.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if o.s.mode == TLS {
		tc := tls.Client(conn, o.s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "", fail("TLS", err)
		}
		conn = tc
	}
	cl, err := smtp.NewClient(conn, o.s.host)
	if err != nil {
		return "", fail("greeting", err)
	}
	defer cl.Close()
	if err := cl.Hello(o.s.helo); err != nil {
		return "", fail("EHLO", err)
	}
	if o.s.mode == StartTLS {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return "", fail("STARTTLS", errNoStartTLS)
		}
		if err := cl.StartTLS(o.s.tls); err != nil {
			return "", fail("STARTTLS", err)
		}
	}
	switch {
	case o.s.token != nil:
		if ok, mechs := cl.Extension("AUTH"); !ok || !strings.Contains(" "+strings.ToUpper(mechs)+" ", " XOAUTH2 ") {
			return "", fail("AUTH", errNoXOAuth2)
		}
		tok, err := o.s.token.Token(ctx)
		if err != nil {
			return "", err // an *integrations.Error, classified by the credentials layer
		}
		if err := cl.Auth(xoauth2{user: o.s.username, token: tok}); err != nil {
			var te *textproto.Error
			if errors.As(err, &te) {
				return "", fail("AUTH", &authRefused{code: te.Code, err: err})
			}
			return "", fail("AUTH", err)
		}
	case o.s.username != "":
		if ok, mechs := cl.Extension("AUTH"); !ok || !strings.Contains(" "+strings.ToUpper(mechs)+" ", " PLAIN ") {
			return "", fail("AUTH", errNoAuthPlain)
		}
		if err := cl.Auth(smtp.PlainAuth("", o.s.username, o.s.password, o.s.host)); err != nil {
			return "", fail("AUTH", err)
		}
	}
	if err := cl.Mail(o.s.from.Address); err != nil {
		return "", fail("MAIL FROM", err)
	}
	for i, r := range m.recipients {
		if err := cl.Rcpt(r); err != nil {
			return "", fail(fmt.Sprintf("RCPT TO (recipient %d of %d)", i+1, len(m.recipients)), err)
		}
	}
	reply, err := data(cl, m.data)
	if err != nil {
		return "", fail("DATA", err)
	}
	cl.Quit() // the message is accepted; a failed QUIT changes nothing
	return reply, nil
}

// data sends DATA and the message, and returns the server's final reply
// text (often the queue id), which smtp.Client.Data does not expose.
func data(cl *smtp.Client, msg []byte) (string, error) {
	id, err := cl.Text.Cmd("DATA")
	if err != nil {
		return "", err
	}
	cl.Text.StartResponse(id)
	_, _, err = cl.Text.ReadResponse(354)
	cl.Text.EndResponse(id)
	if err != nil {
		return "", err
	}
	dw := cl.Text.DotWriter()
	if _, err := dw.Write(msg); err != nil {
		return "", err
	}
	if err := dw.Close(); err != nil {
		return "", err
	}
	_, reply, err := cl.Text.ReadResponse(250)
	return reply, err
}

var (
	errNoStartTLS  = errors.New("the server does not offer STARTTLS, which tls: starttls requires (use tls: tls for port 465; the message was not sent in clear text)")
	errNoAuthPlain = errors.New("the server does not offer AUTH PLAIN, which username and password need")
	errNoXOAuth2   = errors.New("the server does not offer AUTH XOAUTH2, which oauth needs (for Microsoft 365, turn on SMTP AUTH for the mailbox)")
)

// classify turns a failed SMTP step into an *Error: 4xx replies, network
// failures and timeouts are retried; 5xx replies, a refusal by the SSRF
// guard, a missing STARTTLS and an untrusted certificate are not.
func (o *sendEmail) classify(ctx context.Context, step string, err error) *integrations.Error {
	var te *textproto.Error
	var ne net.Error
	switch {
	case errors.As(err, &te):
		text := strings.Join(strings.Fields(te.Msg), " ")
		if r := []rune(text); len(r) > maxReply {
			text = string(r[:maxReply]) + "…"
		}
		e := &integrations.Error{
			Retryable: te.Code >= 400 && te.Code < 500,
			Message:   fmt.Sprintf("%s: %d %s", step, te.Code, text),
		}
		if step == "AUTH" && !e.Retryable {
			what := "username and password"
			if o.s.token != nil {
				what = "username (the mailbox) and oauth settings, and that the app may send as the mailbox; a new token was fetched and refused too"
			}
			e.Message = fmt.Sprintf("authentication failed (%d %s): check the integration's %s", te.Code, text, what)
		}
		return e
	case errors.Is(err, ssrf.ErrProhibitedIP) || errors.Is(err, ssrf.ErrProhibitedNetwork):
		why := err.Error()
		if i := strings.Index(why, "prohibited "); i >= 0 {
			why = why[i:]
		}
		return &integrations.Error{Message: step + ": refused by the SSRF guard (" + why + "); add its network to outbound.allow_networks if this is intended"}
	case errors.Is(err, errNoStartTLS) || errors.Is(err, errNoAuthPlain) || errors.Is(err, errNoXOAuth2):
		return &integrations.Error{Message: step + ": " + err.Error()}
	case ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()):
		if errors.Is(ctx.Err(), context.Canceled) {
			return &integrations.Error{Retryable: true, Message: step + ": canceled"}
		}
		return &integrations.Error{Retryable: true, Message: step + ": no response in time"}
	case untrusted(err):
		return &integrations.Error{Message: step + ": " + err.Error() + " (for a private CA, set tls_ca)"}
	case step == "AUTH" && !errors.As(err, &ne) && !errors.Is(err, io.EOF):
		// net/smtp refused to send the credentials (no TLS, wrong host).
		return &integrations.Error{Message: step + ": " + err.Error()}
	}
	return &integrations.Error{Retryable: true, Message: step + ": " + err.Error()}
}

// untrusted reports a certificate that does not verify.
func untrusted(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var cv *tls.CertificateVerificationError
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv)
}
