package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
)

var refRE = regexp.MustCompile(`"\$ref":"#/components/schemas/([A-Za-z]+)"`)

// downClient is a Temporal client whose every query fails, enough for the
// routes that ask Temporal something.
type downClient struct{ client.Client }

func (downClient) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, errors.New("down")
}

// TestOpenAPI: /openapi.json documents every route the server has, one
// path per trigger, and each documented operation answers with one of its
// documented statuses.
func TestOpenAPI(t *testing.T) {
	p, err := project.Load("../../samples/shop", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p.AdminToken = "openapi-test-admin-token"
	hooks := triggers.NewServer(triggers.Deps{Triggers: p.Triggers, Starter: &seenStarter{seen: map[string]bool{}}})
	srv := httptest.NewServer(publicMux(p, hooks, downClient{}, slog.New(slog.DiscardHandler), false))
	defer srv.Close()

	// serve asks for the admin token: the document names every trigger.
	if resp, err := http.Get(srv.URL + "/openapi.json"); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /openapi.json without the token: %v %v; want 401", resp.StatusCode, err)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/openapi.json", nil)
	req.Header.Set("Authorization", "Bearer "+p.AdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Servers []struct{ URL string }               `json:"servers"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comp    map[string]map[string]any            `json:"components"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /openapi.json: %d %v", resp.StatusCode, err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 || doc.Servers[0].URL != srv.URL {
		t.Fatalf("openapi %q servers %v", doc.OpenAPI, doc.Servers)
	}

	// Every route of the webhook server (gin) and of the mux around it is documented.
	var routes []string
	for _, r := range hooks.Handler.(*gin.Engine).Routes() {
		if strings.Contains(r.Path, ":trigger") {
			for _, name := range p.Triggers.Names() {
				routes = append(routes, r.Method+" "+strings.Replace(r.Path, ":trigger", name, 1))
			}
			continue
		}
		routes = append(routes, r.Method+" "+r.Path)
	}
	routes = append(routes, "GET /status", "POST /runs/{workflow_id}/signals/{name}", "GET /openapi.json")
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	if !slices.Equal(routes, documented) {
		t.Fatalf("routes %v\ndocumented %v", routes, documented)
	}

	// Each operation answers with a documented status, never "no such endpoint";
	// every $ref resolves and operation ids are unique.
	ids := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
			url := srv.URL + strings.NewReplacer("{workflow_id}", "shop-orders%2Fmsg_1", "{name}", "approved").Replace(path)
			req, _ := http.NewRequest(strings.ToUpper(method), url, strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Error string }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if _, ok := op["responses"].(map[string]any)[fmt.Sprint(resp.StatusCode)]; !ok || strings.Contains(body.Error, "no such endpoint") {
				t.Errorf("%s %s answered %d %q, which it does not document", method, path, resp.StatusCode, body.Error)
			}
		}
	}
	raw, _ := json.Marshal(doc)
	for _, ref := range refRE.FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Comp["schemas"][ref[1]]; !ok {
			t.Errorf("$ref %s does not resolve", ref[0])
		}
	}
	if len(doc.Paths) != len(p.Triggers.Names())+5 {
		t.Errorf("%d paths for %d triggers", len(doc.Paths), len(p.Triggers.Names()))
	}
	shop := doc.Paths["/hooks/shop-orders"]["post"]
	params, _ := json.Marshal(shop["parameters"])
	if !strings.Contains(string(params), `"X-Shopify-Hmac-Sha256"`) {
		t.Errorf("shop-orders does not document its signature header: %s", params)
	}
}
