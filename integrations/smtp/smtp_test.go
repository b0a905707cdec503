package smtp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/smtp"
)

const (
	username = "hookflow-user"
	password = "s3cret-passw0rd"
)

// received is one SMTP transaction the fake server accepted.
type received struct {
	from   string
	rcpts  []string
	data   string
	tls    bool
	authed bool
}

// fake is an SMTP server on 127.0.0.1 that speaks just enough ESMTP:
// EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT.
type fake struct {
	addr, port string
	cert       tls.Certificate
	startTLS   bool   // offer STARTTLS
	rcptReply  string // "" is 250
	dataReply  string // "" is 250 … queued
	silent     bool   // never greet
	// xoauth, when set, offers AUTH XOAUTH2 and judges its user and
	// token; a refused token gets Gmail's answer: a 334 challenge with the
	// error JSON, then 535 after the client's empty line.
	xoauth func(user, token string) bool

	mu    sync.Mutex
	conns int
	got   []received
}

func serve(t *testing.T, f *fake) *fake {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f.addr = ln.Addr().String()
	_, f.port, _ = net.SplitHostPort(f.addr)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
			go f.session(c)
		}
	}()
	return f
}

func (f *fake) session(c net.Conn) {
	defer func() { c.Close() }()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if f.silent {
		io.Copy(io.Discard, c)
		return
	}
	tp := textproto.NewConn(c)
	reply := func(s string) { tp.PrintfLine("%s", s) }
	reply("220 fake.test ESMTP")
	var cur received
	isTLS, authed := false, false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			lines := []string{"fake.test greets " + arg}
			if f.startTLS && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if f.xoauth != nil {
				lines = append(lines, "AUTH PLAIN LOGIN XOAUTH2", "8BITMIME")
			} else {
				lines = append(lines, "AUTH PLAIN LOGIN", "8BITMIME")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				reply("250" + sep + l)
			}
		case "STARTTLS":
			reply("220 2.0.0 Ready to start TLS")
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{f.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			c, tp, isTLS, cur = tc, textproto.NewConn(tc), true, received{}
			reply = func(s string) { tp.PrintfLine("%s", s) }
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			b, _ := base64.StdEncoding.DecodeString(resp)
			if strings.ToUpper(mech) == "PLAIN" && string(b) == "\x00"+username+"\x00"+password {
				authed = true
				reply("235 2.7.0 Authentication successful")
			} else if strings.ToUpper(mech) == "XOAUTH2" && f.xoauth != nil {
				user, rest, _ := strings.Cut(string(b), "\x01auth=Bearer ")
				tok, end, _ := strings.Cut(rest, "\x01")
				if strings.HasPrefix(user, "user=") && end == "\x01" && f.xoauth(strings.TrimPrefix(user, "user="), tok) {
					authed = true
					reply("235 2.7.0 Accepted")
					continue
				}
				reply("334 " + base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`)))
				if l, err := tp.ReadLine(); err != nil || l != "" {
					return
				}
				reply("535-5.7.8 Username and Password not accepted. For more information, go to")
				reply("535 5.7.8  https://support.google.com/mail/?p=BadCredentials")
			} else {
				reply("535 5.7.8 Authentication credentials invalid")
			}
		case "MAIL":
			cur = received{from: arg, tls: isTLS, authed: authed}
			reply("250 2.1.0 Ok")
		case "RCPT":
			cur.rcpts = append(cur.rcpts, arg)
			reply(cmpOr(f.rcptReply, "250 2.1.5 Ok"))
		case "DATA":
			reply("354 End data with <CR><LF>.<CR><LF>")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.data = string(b)
			if f.dataReply == "" {
				f.mu.Lock()
				f.got = append(f.got, cur)
				f.mu.Unlock()
			}
			reply(cmpOr(f.dataReply, "250 2.0.0 Ok: queued as 4bWXyz1234"))
		case "RSET":
			cur = received{}
			reply("250 2.0.0 Ok")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("502 5.5.2 Error: command not recognized")
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *fake) messages() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.got...)
}

func (f *fake) connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns
}

// selfSigned returns a certificate for 127.0.0.1 and the path of its PEM,
// to be trusted through tls_ca.
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fake smtp"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

// start runs a fake server offering STARTTLS with a fresh certificate and
// returns it with the YAML of an integration `mailer` pointing at it.
func start(t *testing.T, f *fake, extra string) (*fake, string) {
	t.Helper()
	cert, ca := selfSigned(t)
	f.cert = cert
	serve(t, f)
	doc := "mailer:\n  kind: smtp\n  host: 127.0.0.1\n  port: " + f.port +
		"\n  username: " + username + "\n  password: " + password +
		"\n  from: Acme Shop <orders@shop.example>\n  tls_ca: " + ca + "\n" + extra
	return f, doc
}

func call(t *testing.T, s *integrations.Set, key string, input map[string]any) (integrations.Result, error) {
	t.Helper()
	res, err := s.Call(context.Background(), integrations.Call{Integration: "mailer", Operation: "send_email", Input: input, IdempotencyKey: key})
	kindtest.NoSecret(t, res, err, password, username)
	return res, err
}

func TestSendEmail(t *testing.T) {
	f, doc := start(t, &fake{startTLS: true}, "")
	s := kindtest.Load(t, doc)
	input := map[string]any{
		"to":       []any{"Ada Lovelace <ada@example.com>", "bob@example.com"},
		"cc":       "ops@shop.example",
		"bcc":      []any{"archive@shop.example"},
		"reply_to": "support@shop.example",
		"subject":  "Order #1001 – bestätigt",
		"text":     "Thanks for your order.\n.\nA line with a dot.",
		"html":     "<p>Thanks for your order.</p>",
	}
	const key = "shop-orders/evt-1/thanks"
	res, err := call(t, s, key, input)
	if err != nil {
		t.Fatal(err)
	}
	got := f.messages()
	if len(got) != 1 {
		t.Fatalf("server accepted %d messages", len(got))
	}
	g := got[0]
	if !g.tls || !g.authed {
		t.Errorf("tls %v, authed %v", g.tls, g.authed)
	}
	if !strings.HasPrefix(g.from, "FROM:<orders@shop.example>") {
		t.Errorf("MAIL %s", g.from)
	}
	wantRcpt := []string{"TO:<ada@example.com>", "TO:<bob@example.com>", "TO:<ops@shop.example>", "TO:<archive@shop.example>"}
	if !reflect.DeepEqual(g.rcpts, wantRcpt) {
		t.Errorf("RCPT %v", g.rcpts)
	}
	msg, err := mail.ReadMessage(strings.NewReader(g.data))
	if err != nil {
		t.Fatalf("message does not parse: %v\n%s", err, g.data)
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(h.Get("Subject"))
	if subject != "Order #1001 – bestätigt" {
		t.Errorf("Subject %q", subject)
	}
	if to, err := h.AddressList("To"); err != nil || len(to) != 2 || to[0].Name != "Ada Lovelace" || to[1].Address != "bob@example.com" {
		t.Errorf("To %v, %v", to, err)
	}
	if from, err := h.AddressList("From"); err != nil || from[0].Address != "orders@shop.example" || from[0].Name != "Acme Shop" {
		t.Errorf("From %v, %v", from, err)
	}
	if h.Get("Cc") != "<ops@shop.example>" || h.Get("Reply-To") != "<support@shop.example>" || h.Get("Bcc") != "" || strings.Contains(g.data, "archive@") {
		t.Errorf("Cc %q, Reply-To %q, Bcc %q", h.Get("Cc"), h.Get("Reply-To"), h.Get("Bcc"))
	}
	if d, err := h.Date(); err != nil || time.Since(d) > time.Minute {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	// Defect 5 (issue 13): RFC 5322 wants a Message-ID's right side to be a
	// domain the sender controls; "hookflow" is none, and spam filters
	// score it. The from address's domain is.
	id := h.Get("Message-ID")
	if id != smtp.MessageID(key, "shop.example") || !strings.HasSuffix(id, "@shop.example>") || len(id) != len("<@shop.example>")+32 {
		t.Errorf("Message-ID %q, want %q", id, smtp.MessageID(key, "shop.example"))
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" || h.Get("MIME-Version") != "1.0" {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ typ, body string }{
		{"text/plain", "Thanks for your order.\n.\nA line with a dot.\n"}, // ReadDotBytes turns CRLF into LF
		{"text/html", "<p>Thanks for your order.</p>\n"},
	} {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Type") != want.typ+"; charset=utf-8" || p.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
			t.Errorf("part header %v", p.Header)
		}
		b, _ := io.ReadAll(quotedprintable.NewReader(p))
		if string(b) != want.body {
			t.Errorf("%s part %q, want %q", want.typ, b, want.body)
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("more parts: %v", err)
	}

	// What is recorded.
	r := res.Request
	if r.Method != "SMTP" || r.URL != "smtp://"+f.addr {
		t.Errorf("recorded %s %s", r.Method, r.URL)
	}
	wantHeaders := map[string]string{"from": `"Acme Shop" <orders@shop.example>`, "to": `"Ada Lovelace" <ada@example.com>, <bob@example.com>`, "subject": "Order #1001 – bestätigt"}
	if !reflect.DeepEqual(r.Headers, wantHeaders) {
		t.Errorf("recorded headers %v", r.Headers)
	}
	if !strings.Contains(r.Body, "Message-ID: "+id) || !strings.Contains(r.Body, "multipart/alternative") {
		t.Errorf("recorded body %s", r.Body)
	}
	if res.Response == nil || res.Response.Status != 250 || res.Response.Body != "250 2.0.0 Ok: queued as 4bWXyz1234" {
		t.Errorf("recorded response %+v", res.Response)
	}
	wantOut := map[string]any{"accepted": []string{"ada@example.com", "bob@example.com", "ops@shop.example", "archive@shop.example"}}
	if !reflect.DeepEqual(res.Output, wantOut) {
		t.Errorf("output %v", res.Output)
	}

	// A retry carries the same Message-ID; another step does not.
	if _, err := call(t, s, key, input); err != nil {
		t.Fatal(err)
	}
	if _, err := call(t, s, "shop-orders/evt-2/thanks", input); err != nil {
		t.Fatal(err)
	}
	got = f.messages()
	ids := make([]string, len(got))
	for i, g := range got {
		m, _ := mail.ReadMessage(strings.NewReader(g.data))
		ids[i] = m.Header.Get("Message-ID")
	}
	if len(ids) != 3 || ids[1] != ids[0] || ids[2] == ids[0] {
		t.Errorf("Message-IDs %v", ids)
	}
}

func TestSinglePart(t *testing.T) {
	f, doc := start(t, &fake{startTLS: true}, "")
	s := kindtest.Load(t, doc)
	if _, err := call(t, s, "k", map[string]any{"to": "ada@example.com", "subject": "Hi", "html": "<b>hi</b>"}); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(f.messages()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestInput(t *testing.T) {
	_, doc := start(t, &fake{startTLS: true}, "")
	s := kindtest.Load(t, doc)
	for _, tc := range []struct {
		input map[string]any
		want  string
	}{
		{map[string]any{"to": "ada@example.com", "subject": "s"}, "with.text or with.html is required"},
		{map[string]any{"to": "not an address", "subject": "s", "text": "t"}, "with.to must be an email address"},
		{map[string]any{"to": "ada@example.com", "subject": "s", "text": "t", "from": "x@y.example"}, "with.from: unknown field"},
		{map[string]any{"to": "ada@example.com", "text": "t"}, "with.subject is required"},
	} {
		_, err := call(t, s, "k", tc.input)
		var e *integrations.Error
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &e) {
			t.Errorf("%v: error %v, want plain %q", tc.input, err, tc.want)
		}
	}
}

func TestStartTLSRequired(t *testing.T) {
	f, doc := start(t, &fake{startTLS: false}, "")
	_, err := call(t, kindtest.Load(t, doc), "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "mailer.send_email: smtp://"+f.addr+": STARTTLS: the server does not offer STARTTLS") {
		t.Errorf("message %q", e.Message)
	}
	if len(f.messages()) != 0 {
		t.Error("the message was sent without TLS")
	}
}

func TestUntrustedCertificate(t *testing.T) {
	f, _ := start(t, &fake{startTLS: true}, "")
	_, otherCA := selfSigned(t)
	doc := "mailer:\n  kind: smtp\n  host: 127.0.0.1\n  port: " + f.port + "\n  from: orders@shop.example\n  tls_ca: " + otherCA + "\n"
	_, err := call(t, kindtest.Load(t, doc), "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "STARTTLS") || !strings.Contains(e.Message, "tls_ca") {
		t.Errorf("message %q", e.Message)
	}
}

type replies struct{ rcptReply, dataReply string }

func TestReplies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		f         replies
		retryable bool
		want      string
	}{
		{"mailbox unavailable", replies{rcptReply: "550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown"}, false,
			"RCPT TO (recipient 1 of 1): 550 5.1.1 <ada@example.com>: Recipient address rejected: User unknown"},
		{"greylisted", replies{rcptReply: "451 4.7.1 Greylisted, try again later"}, true, "RCPT TO (recipient 1 of 1): 451 4.7.1 Greylisted"},
		{"message rejected", replies{dataReply: "554 5.7.1 Message rejected as spam"}, false, "DATA: 554 5.7.1 Message rejected as spam"},
		{"queue full", replies{dataReply: "452 4.3.1 Insufficient system storage"}, true, "DATA: 452 4.3.1"},
		{"server echoes the password", replies{rcptReply: "550 5.7.1 relay denied for " + password}, false, "relay denied for [redacted]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, doc := start(t, &fake{startTLS: true, rcptReply: tc.f.rcptReply, dataReply: tc.f.dataReply}, "")
			_, err := call(t, kindtest.Load(t, doc), "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
			e := kindtest.Failure(t, err, tc.retryable)
			if !strings.Contains(e.Message, tc.want) || !strings.HasPrefix(e.Message, "mailer.send_email: smtp://"+f.addr+": ") {
				t.Errorf("message %q, want %q", e.Message, tc.want)
			}
		})
	}
}

func TestAuthFailure(t *testing.T) {
	f := &fake{startTLS: true}
	cert, ca := selfSigned(t)
	f.cert = cert
	serve(t, f)
	const wrong = "wrong-password-123"
	doc := "mailer:\n  kind: smtp\n  host: 127.0.0.1\n  port: " + f.port + "\n  username: " + username +
		"\n  password: " + wrong + "\n  from: orders@shop.example\n  tls_ca: " + ca + "\n"
	res, err := kindtest.Call(t, kindtest.Load(t, doc), "mailer", "send_email", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"}, wrong)
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "authentication failed (535 5.7.8 Authentication credentials invalid): check the integration's username and password") {
		t.Errorf("message %q", e.Message)
	}
	if res.Request.Method != "SMTP" || len(f.messages()) != 0 {
		t.Errorf("request %+v, messages %d", res.Request, len(f.messages()))
	}
}

func TestTimeout(t *testing.T) {
	f, doc := start(t, &fake{silent: true}, "  timeout: 300ms\n")
	start := time.Now()
	_, err := call(t, kindtest.Load(t, doc), "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
	e := kindtest.Failure(t, err, true)
	if !strings.Contains(e.Message, "greeting: no response in time") || time.Since(start) > 5*time.Second {
		t.Errorf("message %q after %v", e.Message, time.Since(start))
	}
	_ = f
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	s := kindtest.Load(t, "mailer:\n  kind: smtp\n  host: 127.0.0.1\n  port: "+port+"\n  from: orders@shop.example\n")
	_, err = call(t, s, "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
	e := kindtest.Failure(t, err, true)
	if !strings.Contains(e.Message, "connect: ") {
		t.Errorf("message %q", e.Message)
	}
}

// Without an allow list, the guard refuses loopback before any connection.
func TestSSRFGuard(t *testing.T) {
	f, doc := start(t, &fake{startTLS: true}, "")
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatal(err)
	}
	s, err := catalog.Load("hookflow.yaml", root.Content[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = call(t, s, "k", map[string]any{"to": "ada@example.com", "subject": "s", "text": "t"})
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "connect: refused by the SSRF guard (prohibited") || !strings.Contains(e.Message, "outbound.allow_networks") {
		t.Errorf("message %q", e.Message)
	}
	time.Sleep(50 * time.Millisecond)
	if n := f.connections(); n != 0 {
		t.Errorf("the server saw %d connections", n)
	}
}

func TestBuild(t *testing.T) {
	_, doc := start(t, &fake{startTLS: true}, "")
	s := kindtest.Load(t, doc)
	rec, err := s.Build(integrations.Call{Integration: "mailer", Operation: "send_email", IdempotencyKey: "k",
		Input: map[string]any{"to": "ada@example.com", "subject": "Hi " + password, "text": "t"}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Method != "SMTP" || !strings.HasPrefix(rec.URL, "smtp://127.0.0.1:") || rec.Headers["to"] != "<ada@example.com>" || rec.Headers["subject"] != "Hi [redacted]" {
		t.Errorf("preview %+v", rec)
	}
	if !strings.Contains(rec.Body, "Message-ID: "+smtp.MessageID("k", "shop.example")) || strings.Contains(rec.Body, password) {
		t.Errorf("preview body %s", rec.Body)
	}
	if _, err := s.Build(integrations.Call{Integration: "mailer", Operation: "send_email", Input: map[string]any{"to": "ada@example.com", "subject": "s"}}); err == nil || !strings.Contains(err.Error(), "with.text or with.html") {
		t.Errorf("preview error %v", err)
	}
}

func TestConfig(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none.pem")
	for _, tc := range []struct{ name, doc, want string }{
		{"no host", "mailer:\n  kind: smtp\n  from: a@b.example\n", "hookflow.yaml:2:3: integrations.mailer.host is required"},
		{"no from", "mailer:\n  kind: smtp\n  host: smtp.example.com\n", "integrations.mailer.from is required"},
		{"bad from", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: nobody\n", "hookflow.yaml:4:9: integrations.mailer.from must be an email address"},
		{"url host", "mailer:\n  kind: smtp\n  host: smtp://smtp.example.com:587\n  from: a@b.example\n", "hookflow.yaml:3:9: integrations.mailer.host must be a host name"},
		{"bad tls", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  tls: ssl\n", "hookflow.yaml:5:8: integrations.mailer.tls must be one of: starttls, tls, none"},
		{"clear text", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  tls: none\n", "hookflow.yaml:5:8: integrations.mailer.tls must be starttls or tls unless host is loopback"},
		{"port", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  port: 70000\n", "hookflow.yaml:5:9: integrations.mailer.port must be between 1 and 65535"},
		{"port type", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  port: submission\n", "hookflow.yaml:5:9: integrations.mailer.port must be a whole number"},
		{"password alone", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  password: pw123456\n", "hookflow.yaml:2:3: integrations.mailer.username is required with password"},
		{"username alone", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  username: u\n", "integrations.mailer.password is required with username"},
		{"ca missing", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  tls_ca: " + missing + "\n", "hookflow.yaml:5:11: integrations.mailer.tls_ca: cannot be read"},
		{"helo", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  helo: two words\n", "integrations.mailer.helo must be a single host name"},
		{"typo", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  pasword: x\n", "hookflow.yaml:5:3: integrations.mailer: unknown field \"pasword\""},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw123456") {
			t.Errorf("%s: error shows the password: %v", tc.name, err)
		}
	}
	// Valid: defaults, implicit TLS on 465, clear text on loopback.
	for _, doc := range []string{
		"mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n",
		"mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  tls: tls\n",
		"mailer:\n  kind: smtp\n  host: localhost\n  port: 1025\n  from: a@b.example\n  tls: none\n",
		"mailer:\n  kind: smtp\n  host: \"::1\"\n  from: a@b.example\n  tls: none\n",
	} {
		s := kindtest.Load(t, doc)
		rec, err := s.Build(integrations.Call{Integration: "mailer", Operation: "send_email", Input: map[string]any{"to": "c@d.example", "subject": "s", "text": "t"}})
		if err != nil {
			t.Errorf("%s: %v", doc, err)
		}
		want := map[string]string{"smtp.example.com": "smtp://smtp.example.com:587", "localhost": "smtp://localhost:1025", "::1": "smtp://[::1]:587"}
		for host, url := range want {
			if strings.Contains(doc, "host: "+host) || strings.Contains(doc, "host: \""+host) {
				if strings.Contains(doc, "tls: tls") {
					url = "smtp://smtp.example.com:465"
				}
				if rec.URL != url {
					t.Errorf("%s: URL %q, want %q", doc, rec.URL, url)
				}
			}
		}
	}
}
