package smtp

import (
	"net/smtp"
)

// xoauth2 is the SASL XOAUTH2 mechanism Microsoft 365 and Google take for
// SMTP AUTH with an OAuth 2.0 access token: the initial response is
// "user=<mailbox>^Aauth=Bearer <token>^A^A". A refused token draws a 334
// challenge holding the error (Google), answered with an empty line so
// that the server sends its final 5xx.
//
// Checked against https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth
// and https://developers.google.com/workspace/gmail/imap/xoauth2-protocol
// on 2026-11-29.
type xoauth2 struct{ user, token string }

var _ smtp.Auth = xoauth2{}

func (a xoauth2) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + a.user + "\x01auth=Bearer " + a.token + "\x01\x01"), nil
}

func (a xoauth2) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return []byte{}, nil
	}
	return nil, nil
}
