package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hookflow/hookflow/triggers/verify"
)

// headerFlags collects repeated -H 'Name: value' flags.
type headerFlags []string

func (h *headerFlags) String() string     { return strings.Join(*h, ", ") }
func (h *headerFlags) Set(v string) error { *h = append(*h, v); return nil }
func (h *headerFlags) Type() string       { return "'Name: value'" }

func runSend(ctx context.Context, e env, args []string) error {
	fs := newFlags(e, "send", "TRIGGER FILE [flags]")
	dir := fs.String("project", ".", "project directory (holds hookflow.yaml)")
	base := fs.String("url", "http://127.0.0.1:8080", "hookflow's webhook server")
	id := fs.String("id", "", "delivery id to send (default: a new random one; reuse one to simulate a retry)")
	fresh := fs.Bool("fresh", false, "send the file as a new event: a new event id even where the payload holds it, and a body the dedupe has not seen")
	printCurl := fs.Bool("print-curl", false, "print the signed request as a curl command instead of sending it")
	var extra headerFlags
	fs.VarP(&extra, "header", "H", "extra header 'Name: value' (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return fmt.Errorf("send needs TRIGGER and FILE, e.g. hookflow send shop-orders samples/shop/events/order-paid.json")
	}
	trigger, file := fs.Arg(0), fs.Arg(1)
	p, err := loadProject(e, *dir)
	if err != nil {
		return err
	}
	t, ok := p.Triggers.Get(trigger)
	if !ok {
		return fmt.Errorf("trigger %q is not in %s (it has: %s)", trigger, *dir, strings.Join(p.Triggers.Names(), ", "))
	}
	ev, err := readEvent(file)
	if err != nil {
		return err
	}
	if *fresh {
		var note string
		if ev, note, err = freshen(t, ev); err != nil {
			return err
		}
		fmt.Fprint(e.stdout, note)
	}
	for _, h := range extra {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			return fmt.Errorf("-H %q: write 'Name: value'", h)
		}
		ev.header.Set(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if *id == "" {
		*id = randomID()
	}
	url := strings.TrimRight(*base, "/") + "/hooks/" + trigger
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(ev.body))
	if err != nil {
		return fmt.Errorf("--url %q: %w", *base, err)
	}
	req.Header = ev.header
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", ev.contentType)
	}
	// HubSpot (and hmac with {url}) sign the URL the request goes to, so sign
	// exactly the one the server will see.
	signed, err := verify.Sign(t.Verify, verify.Request{Method: http.MethodPost, URL: req.URL.String(), Header: req.Header, Body: ev.body}, *id, time.Now())
	if err != nil {
		return fmt.Errorf("sign for scheme %s: %w", t.Verify.Scheme, err)
	}
	for k, v := range signed {
		req.Header[k] = v
	}
	if *printCurl {
		fmt.Fprint(e.stdout, curlCommand(req, ev.body, verify.SchemeDefaults(t.Verify).SignsTimestamp))
		return nil
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("post to %s: %w (is `hookflow dev` running?)", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(e.stdout, "%s %s\n", resp.Proto, resp.Status)
	var pretty bytes.Buffer
	if json.Indent(&pretty, body, "", "  ") == nil {
		body = pretty.Bytes()
	}
	fmt.Fprintf(e.stdout, "%s\n", bytes.TrimSpace(body))
	var answer struct {
		UIURL      string `json:"ui_url"`
		WorkflowID string `json:"workflow_id"`
		Duplicate  bool   `json:"duplicate"`
	}
	if json.Unmarshal(body, &answer) == nil && answer.Duplicate {
		fmt.Fprintln(e.stdout, duplicateHint(t, *id, answer.WorkflowID, *fresh))
	}
	if answer.UIURL != "" {
		fmt.Fprintf(e.stdout, "open the run: %s\n", answer.UIURL)
	}
	if resp.StatusCode >= 300 {
		return errReported
	}
	return nil
}

// event is what send posts: a body and the headers the provider would send.
type event struct {
	header      http.Header
	body        []byte
	contentType string // unless the file or -H sets Content-Type
}

const formContentType = "application/x-www-form-urlencoded"

// readEvent reads a payload file. A .form or .txt file is a form-encoded
// body (Slack slash commands and interactivity, Twilio), sent as it is
// without its trailing newline. A file holding exactly {"headers": {...},
// "payload": ...} is an envelope: its headers are sent and its payload is
// the body. Anything else is sent as JSON.
func readEvent(file string) (event, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return event{}, err
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".form", ".txt":
		return event{header: http.Header{}, body: bytes.TrimRight(data, "\r\n"), contentType: formContentType}, nil
	}
	ev := event{header: http.Header{}, body: data, contentType: "application/json"}
	var env map[string]json.RawMessage
	if json.Unmarshal(data, &env) != nil || len(env) != 2 || env["headers"] == nil || env["payload"] == nil {
		return ev, nil
	}
	var headers map[string]string
	if err := json.Unmarshal(env["headers"], &headers); err != nil {
		return event{}, fmt.Errorf("%s: headers must map names to strings: %w", file, err)
	}
	for k, v := range headers {
		ev.header.Set(k, v)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, env["payload"]); err != nil {
		return event{}, fmt.Errorf("%s: payload: %w", file, err)
	}
	ev.body = compact.Bytes()
	return ev, nil
}

func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}
