package mailchimp_test

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/internal/kindtest"
	"github.com/hookflow/hookflow/integrations/mailchimp"
)

const (
	apiKey = "0123456789abcdef0123456789abcdef-us21"
	listID = "a1b2c3d4e5"
)

// marketingAPI stands in for the Marketing API 3.0 as documented
// (mailchimp.com/developer/marketing/api/list-members and
// .../list-member-tags, checked 2026-11-29): basic auth with the key as
// the password, a member at /lists/{list_id}/members/{md5 of the
// lower-cased address}, PUT to add or update (status_if_new applies only
// to a new member; tags are not part of it), POST …/tags with
// [{name, status: active|inactive}] answered 204, and problem documents
// for errors.
type marketingAPI struct {
	*kindtest.Vendor
	mu      sync.Mutex
	members map[string]map[string]any
	tags    map[string][]string
}

var putFields = []string{"email_address", "status_if_new", "status", "merge_fields", "language", "vip", "interests", "email_type", "location"}

func serve(t *testing.T) *marketingAPI {
	m := &marketingAPI{members: map[string]map[string]any{}, tags: map[string][]string{}}
	m.Vendor = kindtest.ServeFunc(t, m.answer)
	return m
}

func problem(status int, title, detail string, errs ...map[string]any) kindtest.Reply {
	p := map[string]any{"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": title, "status": status, "detail": detail, "instance": "7c1b0b8a-5b8e"}
	if errs != nil {
		p["errors"] = errs
	}
	b, _ := json.Marshal(p)
	return kindtest.Reply{Status: status, Header: map[string]string{"Content-Type": "application/problem+json"}, Body: string(b)}
}

func (m *marketingAPI) answer(g kindtest.Got) kindtest.Reply {
	m.mu.Lock()
	defer m.mu.Unlock()
	if user, pass, ok := basic(g.Header.Get("Authorization")); !ok || user == "" || pass != apiKey {
		return problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
	}
	rest, ok := strings.CutPrefix(g.Path, "/3.0/lists/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) < 3 || parts[1] != "members" {
		return problem(404, "Resource Not Found", "The requested resource could not be found.")
	}
	if parts[0] != listID {
		return problem(404, "Resource Not Found", "The requested resource could not be found.")
	}
	hash := parts[2]
	switch {
	case g.Method == http.MethodGet && len(parts) == 3:
		if mem, ok := m.members[hash]; ok {
			return json200(mem)
		}
		return problem(404, "Resource Not Found", "The requested resource could not be found.")
	case g.Method == http.MethodPut && len(parts) == 3:
		var b map[string]any
		if json.Unmarshal(g.Body, &b) != nil {
			return problem(400, "JSON Parse Exception", "We encountered an unspecified JSON parsing error.")
		}
		for k := range b {
			if !slices.Contains(putFields, k) {
				return problem(400, "Invalid Resource", "The resource submitted could not be validated.", map[string]any{"field": k, "message": "Schema describes object, unknown field"})
			}
		}
		email, _ := b["email_address"].(string)
		if sum := md5.Sum([]byte(strings.ToLower(email))); hex.EncodeToString(sum[:]) != hash {
			return problem(400, "Invalid Resource", "The email address does not match the subscriber hash.")
		}
		if strings.HasSuffix(email, "@example.invalid") {
			return problem(400, "Forgotten Email Not Subscribed", email+" was permanently deleted and cannot be re-imported.")
		}
		mem, exists := m.members[hash]
		if !exists {
			mem = map[string]any{"id": hash, "email_address": email, "unique_email_id": "u" + hash[:9], "contact_id": "c" + hash[:9],
				"list_id": listID, "status": b["status_if_new"], "merge_fields": map[string]any{}, "tags": []any{}}
			m.members[hash] = mem
		}
		if s, ok := b["status"]; ok {
			mem["status"] = s
		}
		if mf, ok := b["merge_fields"].(map[string]any); ok {
			for k, v := range mf {
				mem["merge_fields"].(map[string]any)[k] = v
			}
		}
		return json200(mem)
	case g.Method == http.MethodPost && len(parts) == 4 && parts[3] == "tags":
		mem, ok := m.members[hash]
		if !ok {
			return problem(404, "Resource Not Found", "The requested resource could not be found.")
		}
		var b struct {
			Tags []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"tags"`
			IsSyncing *bool `json:"is_syncing"`
		}
		if json.Unmarshal(g.Body, &b) != nil || len(b.Tags) == 0 {
			return problem(400, "Invalid Resource", "The resource submitted could not be validated.", map[string]any{"field": "tags", "message": "Required"})
		}
		for _, t := range b.Tags {
			switch t.Status {
			case "active":
				if !slices.Contains(m.tags[hash], t.Name) {
					m.tags[hash] = append(m.tags[hash], t.Name)
				}
			case "inactive":
				m.tags[hash] = slices.DeleteFunc(m.tags[hash], func(s string) bool { return s == t.Name })
			default:
				return problem(400, "Invalid Resource", "tag status must be active or inactive")
			}
		}
		mem["tags_count"] = len(m.tags[hash])
		return kindtest.Reply{Status: 204}
	}
	return problem(405, "Method Not Allowed", "The requested method and resource are not compatible.")
}

func json200(v any) kindtest.Reply {
	b, _ := json.Marshal(v)
	return kindtest.Reply{Status: 200, Body: string(b)}
}

func basic(h string) (user, pass string, ok bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
	if err != nil || !strings.HasPrefix(h, "Basic ") {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(raw), ":")
	return
}

func load(t *testing.T, v *kindtest.Vendor) *integrations.Set {
	return kindtest.Load(t, `
newsletter:
  kind: mailchimp
  api_key: `+apiKey+`
  list_id: `+listID+`
  base_url: `+v.URL+`/3.0
`)
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"api_key missing", "n:\n  kind: mailchimp\n", "integrations.n.api_key is required"},
		{"no datacenter", "n:\n  kind: mailchimp\n  api_key: 0123abcd\n", "api_key must end in its datacenter, such as -us21"},
		{"plain http elsewhere", "n:\n  kind: mailchimp\n  api_key: k-us1\n  base_url: http://mc.example/3.0\n", "base_url must be https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := kindtest.LoadErr(t, tc.doc)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "0123abcd") {
				t.Fatalf("error %v, want it to contain %q (and not the key)", err, tc.want)
			}
		})
	}
	// The datacenter comes from the key.
	s := kindtest.Load(t, "n:\n  kind: mailchimp\n  api_key: "+apiKey+"\n")
	rec, err := s.Build(integrations.Call{Integration: "n", Operation: "find_member", Input: map[string]any{"email": "Ada@Example.com", "list_id": "L1"}})
	if err != nil || rec.URL != "https://us21.api.mailchimp.com/3.0/lists/L1/members/"+mailchimp.SubscriberHash("ada@example.com") || rec.Headers["Authorization"] != "[redacted]" {
		t.Errorf("built %+v %v", rec, err)
	}
	if _, err := s.Build(integrations.Call{Integration: "n", Operation: "find_member", Input: map[string]any{"email": "a@b.example"}}); err == nil || !strings.Contains(err.Error(), "with.list_id is required (or set list_id on the integration)") {
		t.Errorf("no list: %v", err)
	}
}

// The subscriber hash of Mailchimp's own example address, whatever its
// case and spacing.
func TestSubscriberHash(t *testing.T) {
	if got := mailchimp.SubscriberHash(" Urist.McVankab@FreddiesJokes.com "); got != "62eeb292278cc15f5817cb78f7790b08" {
		t.Errorf("hash %s", got)
	}
}

// On purchase: the member is added (transactional unless the rule says
// subscribed), then tagged; the same call again leaves one member with the
// same tags, and a returning member keeps an unsubscribed status.
func TestUpsertMember(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor)
	with := map[string]any{
		"email": " Ada@Example.com ", "merge_fields": map[string]any{"FNAME": "Ada", "LNAME": "Lovelace"},
		"tags": []any{"customer", "bought-sku-1"}, "remove_tags": "lead", "vip": true,
	}
	res, err := kindtest.Call(t, s, "newsletter", "upsert_member", with, apiKey)
	if err != nil {
		t.Fatal(err)
	}
	hash := mailchimp.SubscriberHash("ada@example.com")
	all := v.All()
	if len(all) != 2 || all[0].Method != http.MethodPut || all[0].Path != "/3.0/lists/"+listID+"/members/"+hash ||
		all[1].Method != http.MethodPost || all[1].Path != "/3.0/lists/"+listID+"/members/"+hash+"/tags" {
		t.Fatalf("sent %+v", all)
	}
	put := all[0].JSON(t)
	if want := map[string]any{"email_address": "Ada@Example.com", "status_if_new": "transactional", "vip": true,
		"merge_fields": map[string]any{"FNAME": "Ada", "LNAME": "Lovelace"}}; !reflect.DeepEqual(put, want) {
		t.Errorf("PUT %v\nwant %v", put, want)
	}
	tags := all[1].JSON(t)
	if want := map[string]any{"is_syncing": false, "tags": []any{
		map[string]any{"name": "customer", "status": "active"}, map[string]any{"name": "bought-sku-1", "status": "active"},
		map[string]any{"name": "lead", "status": "inactive"}}}; !reflect.DeepEqual(tags, want) {
		t.Errorf("tags %v", tags)
	}
	if out := res.Output.(map[string]any); out["id"] != hash || out["status"] != "transactional" || out["email"] != "Ada@Example.com" || out["list_id"] != listID {
		t.Errorf("output %v", out)
	}
	if res.Request.Method != http.MethodPut || res.Request.Headers["Authorization"] != "[redacted]" {
		t.Errorf("recorded %+v", res.Request)
	}
	// Idempotent by construction: again, one member, the same tags.
	if _, err := kindtest.Call(t, s, "newsletter", "upsert_member", with, apiKey); err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	if len(v.members) != 1 || !slices.Equal(v.tags[hash], []string{"customer", "bought-sku-1"}) {
		t.Errorf("members %v, tags %v", v.members, v.tags)
	}
	v.members[hash]["status"] = "unsubscribed"
	v.mu.Unlock()
	res, err = kindtest.Call(t, s, "newsletter", "upsert_member", map[string]any{"email": "ada@example.com", "status_if_new": "subscribed"}, apiKey)
	if out := res.Output.(map[string]any); err != nil || out["status"] != "unsubscribed" || v.Count() != 5 {
		t.Errorf("unsubscribed stays: %v %v (%d requests: no tags, no tags call)", res.Output, err, v.Count())
	}
	res, err = kindtest.Call(t, s, "newsletter", "find_member", map[string]any{"email": "ADA@example.com"}, apiKey)
	if out := res.Output.(map[string]any); err != nil || out["found"] != true || out["id"] != hash || out["status"] != "unsubscribed" {
		t.Errorf("find %v %v", res.Output, err)
	}
	res, err = kindtest.Call(t, s, "newsletter", "find_member", map[string]any{"email": "nobody@example.com"}, apiKey)
	if out := res.Output.(map[string]any); err != nil || out["found"] != false || out["id"] != nil {
		t.Errorf("find none %v %v", res.Output, err)
	}
}

// A list id from event data stays one path segment.
func TestListIDSegment(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor)
	if _, err := kindtest.Call(t, s, "newsletter", "find_member", map[string]any{"email": "a@b.example", "list_id": "../../automations"}, apiKey); err == nil || v.Count() != 0 {
		t.Errorf("climbing list id: %v", err)
	}
	_, _ = kindtest.Call(t, s, "newsletter", "find_member", map[string]any{"email": "a@b.example", "list_id": "x?count=1000#"}, apiKey)
	if g := v.Last(t); !strings.HasPrefix(g.Path, "/3.0/lists/x%3Fcount=1000%23/members/") || g.Query != "" {
		t.Errorf("sent to %s?%s", g.Path, g.Query)
	}
}

func TestErrorClasses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     kindtest.Reply
		retryable bool
		want      string
	}{
		{"forgotten", problem(400, "Forgotten Email Not Subscribed", "ada@example.com was permanently deleted and cannot be re-imported."), false, "only the person can sign up again"},
		{"compliance", problem(400, "Member In Compliance State", "ada@example.com is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed."), false, "Mailchimp will not change it through the API"},
		{"invalid field", problem(400, "Invalid Resource", "The resource submitted could not be validated.", map[string]any{"field": "merge_fields.BIRTHDAY", "message": "Please enter the date"}), false, "merge_fields.BIRTHDAY: Please enter the date"},
		{"bad key", problem(401, "API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."), false, "check the integration's api_key and its datacenter suffix"},
		{"unknown list", problem(404, "Resource Not Found", "The requested resource could not be found."), false, "check list_id"},
		{"too many connections", problem(429, "Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."), true, "10 simultaneous connections"},
		{"server", problem(500, "Internal Server Error", "An unexpected internal error has occurred."), true, "Internal Server Error"},
		{"key echoed", problem(401, "API Key Invalid", "Your API key "+apiKey+" is invalid"), false, "Your API key [redacted] is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := kindtest.Serve(t, tc.reply)
			_, err := kindtest.Call(t, load(t, v), "newsletter", "upsert_member", map[string]any{"email": "ada@example.com", "tags": "customer"}, apiKey)
			e := kindtest.Failure(t, err, tc.retryable)
			if !strings.Contains(e.Message, tc.want) || !strings.HasPrefix(e.Message, "newsletter.upsert_member: ") {
				t.Errorf("%q, want %q", e.Message, tc.want)
			}
		})
	}
	// The member was stored, the tags call failed: the step fails with the
	// tags answer, and its retry repeats both (both set a state).
	v := kindtest.ServeFunc(t, func(g kindtest.Got) kindtest.Reply {
		if strings.HasSuffix(g.Path, "/tags") {
			return problem(503, "Service Unavailable", "try later")
		}
		return json200(map[string]any{"id": "h", "status": "subscribed"})
	})
	res, err := kindtest.Call(t, load(t, v), "newsletter", "upsert_member", map[string]any{"email": "ada@example.com", "tags": "customer"}, apiKey)
	if e := kindtest.Failure(t, err, true); !strings.Contains(e.Message, "Service Unavailable") || res.Request.Method != http.MethodPost {
		t.Errorf("tags failure %q, recorded %+v", e.Message, res.Request)
	}
}

func TestBadInput(t *testing.T) {
	v := serve(t)
	s := load(t, v.Vendor)
	for _, tc := range []struct {
		with map[string]any
		want string
	}{
		{map[string]any{"email": "nobody"}, "with.email must be an email address"},
		{map[string]any{"email": "a@b.example", "status_if_new": "active"}, "with.status_if_new must be one of subscribed, unsubscribed, cleaned, pending, transactional"},
		{map[string]any{"email": "a@b.example", "tags": []any{1}}, "with.tags[0] must be a string"},
		{map[string]any{"email": "a@b.example", "tags": "vip", "remove_tags": "vip"}, `with.tags and with.remove_tags both name "vip"`},
		{map[string]any{"email": "a@b.example", "merge_fields": "Ada"}, "with.merge_fields must be a mapping"},
		{map[string]any{"email": "a@b.example", "vip": "yes"}, "with.vip must be true or false"},
		{map[string]any{"email": "a@b.example", "tag": "x"}, "with.tag: unknown field"},
	} {
		_, err := kindtest.Call(t, s, "newsletter", "upsert_member", tc.with, apiKey)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.with, err, tc.want)
		}
	}
	if v.Count() != 0 {
		t.Errorf("bad input reached Mailchimp %d times", v.Count())
	}
}
