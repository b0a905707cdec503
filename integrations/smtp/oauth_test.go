package smtp_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/internal/tokentest"
)

// oauthDoc is an integration `mailer` at f that authenticates with
// XOAUTH2 and tokens from the client credentials grant, as Microsoft 365
// documents for SMTP AUTH by apps.
func oauthDoc(t *testing.T, f *fake, tokens *tokentest.Server) (*fake, string) {
	t.Helper()
	cert, ca := selfSigned(t)
	f.cert = cert
	serve(t, f)
	return f, "mailer:\n  kind: smtp\n  host: 127.0.0.1\n  port: " + f.port +
		"\n  username: orders@shop.example\n  oauth:\n    grant: client_credentials\n    token_url: " + tokens.URL +
		"\n    client_id: m365-app\n    client_secret: m365-secret\n    scopes: [https://outlook.office365.com/.default]" +
		"\n  from: Acme Shop <orders@shop.example>\n  tls_ca: " + ca + "\n"
}

// Issue 13 defect 4: Microsoft 365 retires password SMTP AUTH; with
// oauth the mailer authenticates by AUTH XOAUTH2 (user=…^Aauth=Bearer
// …^A^A) with a token it fetched and reuses.
func TestXOAuth2(t *testing.T) {
	tokens := tokentest.Start(t, &tokentest.Server{ClientID: "m365-app", ClientSecret: "m365-secret", ExpiresIn: 3599,
		Scope: "https://outlook.office365.com/.default"})
	var refuse atomic.Bool
	f, doc := oauthDoc(t, &fake{startTLS: true, xoauth: func(user, tok string) bool {
		return !refuse.Load() && user == "orders@shop.example" && tokens.Valid(tok)
	}}, tokens)
	s := kindtest.Load(t, doc)
	send := func() error {
		res, err := s.Call(context.Background(), integrations.Call{Integration: "mailer", Operation: "send_email",
			Input: map[string]any{"to": "ada@example.com", "subject": "Order", "text": "Thanks"}, IdempotencyKey: "shop-orders/evt-1/mail"})
		kindtest.NoSecret(t, res, err, "CANARY", "m365-secret")
		return err
	}
	for range 2 {
		if err := send(); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.messages(); len(got) != 2 || !got[0].authed || !got[0].tls {
		t.Fatalf("accepted %+v", got)
	}
	if n := len(tokens.Issued()); n != 1 {
		t.Errorf("fetched %d tokens for 2 messages, want 1", n)
	}

	// The token is revoked: AUTH fails with 535; one new token, one new
	// session, and the message goes out.
	tokens.Issue()
	if err := send(); err != nil {
		t.Fatalf("a refused token should be replaced: %v", err)
	}
	if got := f.messages(); len(got) != 3 {
		t.Errorf("accepted %d messages", len(got))
	}
	// A mailbox the app may not send as: the new token is refused too, and
	// the step fails for good, saying what to check.
	refuse.Store(true)
	err := send()
	e := kindtest.Failure(t, err, false)
	if !strings.Contains(e.Message, "535 5.7.8") || !strings.Contains(e.Message, "oauth") {
		t.Errorf("message %q", e.Message)
	}
}

func TestXOAuth2Config(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"password and oauth", "mailer:\n  kind: smtp\n  host: smtp.office365.com\n  from: a@b.example\n  username: a@b.example\n  password: x\n  oauth:\n    client_id: a\n",
			"integrations.mailer.password must not be set with oauth"},
		{"no username", "mailer:\n  kind: smtp\n  host: smtp.office365.com\n  from: a@b.example\n  oauth:\n    client_id: a\n    client_secret: b\n    token_url: https://login.microsoftonline.com/t/oauth2/v2.0/token\n",
			"integrations.mailer.username is required with oauth: the mailbox XOAUTH2 signs in as"},
		{"no token url", "mailer:\n  kind: smtp\n  host: smtp.example.com\n  from: a@b.example\n  username: a@b.example\n  oauth:\n    client_id: a\n    client_secret: b\n",
			"integrations.mailer.oauth.token_url is required"},
	} {
		_, err := kindtest.LoadErr(t, tc.doc)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	// Microsoft 365's scope is the default for its host.
	kindtest.Load(t, "mailer:\n  kind: smtp\n  host: smtp.office365.com\n  from: a@b.example\n  username: a@b.example\n  oauth:\n    client_id: a\n    client_secret: b\n    token_url: https://login.microsoftonline.com/t/oauth2/v2.0/token\n")
}
