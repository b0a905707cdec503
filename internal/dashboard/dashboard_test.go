package dashboard

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/telemetry"
)

// fakeTemporal answers as a Temporal server with the given runs would.
type fakeTemporal struct {
	failed   []*workflowpb.WorkflowExecutionInfo
	reasons  map[string]string // run id → failure message
	failures map[string]*failurepb.Failure
	latest   map[string]string // workflow id → latest run id
	health   map[string]activities.HealthState
	queries  []string
	listErr  error
	describe int
}

func (f *fakeTemporal) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	f.queries = append(f.queries, req.GetQuery())
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &workflowservice.ListWorkflowExecutionsResponse{Executions: f.failed}, nil
}

func (f *fakeTemporal) DescribeWorkflowExecution(_ context.Context, wfID, _ string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	f.describe++
	runID, status := f.latest[wfID], enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	for _, ex := range f.failed {
		if ex.GetExecution().GetWorkflowId() == wfID && runID == "" {
			runID, status = ex.GetExecution().GetRunId(), enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
		}
	}
	return &workflowservice.DescribeWorkflowExecutionResponse{WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{
		Execution: &commonpb.WorkflowExecution{WorkflowId: wfID, RunId: runID}, Status: status,
	}}, nil
}

func (f *fakeTemporal) GetWorkflowHistory(_ context.Context, _, runID string, _ bool, filter enumspb.HistoryEventFilterType) client.HistoryEventIterator {
	if filter != enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT {
		panic("the dashboard reads only close events")
	}
	failure := f.failures[runID]
	if failure == nil {
		failure = &failurepb.Failure{Message: f.reasons[runID]}
	}
	return &events{list: []*historypb.HistoryEvent{{Attributes: &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{
		WorkflowExecutionFailedEventAttributes: &historypb.WorkflowExecutionFailedEventAttributes{Failure: failure},
	}}}}
}

func (f *fakeTemporal) QueryWorkflow(_ context.Context, wfID, _, query string, _ ...any) (converter.EncodedValue, error) {
	if wfID != activities.HealthWorkflowID || query != activities.HealthQuery || f.health == nil {
		return nil, errors.New("workflow not found")
	}
	return encoded{f.health}, nil
}

type events struct{ list []*historypb.HistoryEvent }

func (e *events) HasNext() bool { return len(e.list) > 0 }
func (e *events) Next() (*historypb.HistoryEvent, error) {
	ev := e.list[0]
	e.list = e.list[1:]
	return ev, nil
}

type encoded struct{ v any }

func (e encoded) HasValue() bool { return true }
func (e encoded) Get(ptr any) error {
	b, err := json.Marshal(e.v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, ptr)
}

func failedExecution(t *testing.T, wfID, runID, trigger, eventType string, closed time.Time) *workflowpb.WorkflowExecutionInfo {
	t.Helper()
	attrs := map[string]*commonpb.Payload{}
	for k, v := range map[string]any{"HookTrigger": trigger, "HookEventType": eventType, "HookFailedSteps": []string{"invoice-failed/charge"}} {
		p, err := converter.GetDefaultDataConverter().ToPayload(v)
		if err != nil {
			t.Fatal(err)
		}
		attrs[k] = p
	}
	return &workflowpb.WorkflowExecutionInfo{
		Execution:        &commonpb.WorkflowExecution{WorkflowId: wfID, RunId: runID},
		Status:           enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
		StartTime:        timestamppb.New(closed.Add(-time.Second)),
		CloseTime:        timestamppb.New(closed),
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: attrs},
	}
}

const token = "dashboard-test-token-0123456789"

func newTestHandler(t *testing.T, tp *fakeTemporal, replay Replayer) (*Handler, *telemetry.Metrics) {
	t.Helper()
	m := telemetry.New()
	h := New(Options{
		Role: RoleDev, History: telemetry.NewHistory(m, time.Minute, time.Hour), Temporal: tp,
		Namespace: "default", UIBase: "http://ui.test", Replay: replay,
	}, Project{
		Triggers:         []string{"shop-orders", "stripe-events"},
		Integrations:     []Integration{{Name: "billing"}, {Name: "crm", Checked: true}, {Name: "erp", Checked: true}},
		SearchAttributes: map[string]string{"OrderId": "keyword", "OrderN": "int", "Note": "text"},
		AdminToken:       token,
	})
	return h, m
}

// call serves one request as if from remote (ip:port) to host.
func call(h http.Handler, method, target, remote, host string, header map[string]string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr, r.Host = remote, host
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAccess(t *testing.T) {
	h, _ := newTestHandler(t, &fakeTemporal{}, nil)
	open, _ := newTestHandler(t, &fakeTemporal{}, nil)
	p := *open.project.Load()
	p.AdminToken = ""
	open.SetProject(p)
	const local, remote = "127.0.0.1:5555", "192.0.2.7:5555"
	tests := []struct {
		name   string
		h      *Handler
		remote string
		host   string
		header map[string]string
		want   int
	}{
		{"loopback, no token", h, local, "127.0.0.1:8080", nil, 200},
		{"loopback by name", h, "[::1]:5555", "localhost:8080", nil, 200},
		{"another host without the token", h, remote, "hooks.example.com", nil, 401},
		{"another host with the token", h, remote, "hooks.example.com", map[string]string{"Authorization": "Bearer " + token}, 200},
		{"another host with a wrong token", h, remote, "hooks.example.com", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"a wrong token from loopback too", h, local, "127.0.0.1:8080", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"loopback through a proxy", h, local, "127.0.0.1:8080", map[string]string{"X-Forwarded-For": "198.51.100.9"}, 401},
		{"loopback through a Forwarded proxy", h, local, "127.0.0.1:8080", map[string]string{"Forwarded": "for=198.51.100.9"}, 401},
		{"DNS rebinding: loopback peer, foreign host name", h, local, "rebind.example:8080", nil, 401},
		{"no admin token: loopback still opens", open, local, "127.0.0.1:8080", nil, 200},
		{"no admin token: other hosts are refused", open, remote, "hooks.example.com", nil, 403},
		{"no admin token: no bearer opens it", open, remote, "hooks.example.com", map[string]string{"Authorization": "Bearer "}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := call(tt.h, "GET", "/dashboard/api/overview", tt.remote, tt.host, tt.header, "")
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %.200s", w.Code, tt.want, w.Body)
			}
			if w.Code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if w.Code != 200 && !strings.Contains(w.Body.String(), "admin.token") {
				t.Errorf("refusal does not say what to do: %s", w.Body)
			}
		})
	}
	// The page itself holds no data: anyone gets it, so it can ask for the token.
	if w := call(h, "GET", "/dashboard/", remote, "hooks.example.com", nil, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `id="login"`) {
		t.Errorf("page from another host: %d", w.Code)
	}
}

func TestStaticAssets(t *testing.T) {
	h, _ := newTestHandler(t, &fakeTemporal{}, nil)
	for path, ct := range map[string]string{
		"/dashboard/":                     "text/html; charset=utf-8",
		"/dashboard/assets/dashboard.js":  "text/javascript; charset=utf-8",
		"/dashboard/assets/dashboard.css": "text/css; charset=utf-8",
		"/dashboard/assets/logo.svg":      "image/svg+xml",
	} {
		w := call(h, "GET", path, "127.0.0.1:1", "127.0.0.1", nil, "")
		if w.Code != 200 || w.Header().Get("Content-Type") != ct || w.Header().Get("Content-Security-Policy") == "" || w.Body.Len() == 0 {
			t.Errorf("%s: %d %q csp %q, %d bytes", path, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Content-Security-Policy"), w.Body.Len())
		}
	}
	if w := call(h, "GET", "/dashboard", "127.0.0.1:1", "127.0.0.1", nil, ""); w.Code != 301 || w.Header().Get("Location") != "/dashboard/" {
		t.Errorf("/dashboard: %d %s", w.Code, w.Header().Get("Location"))
	}
	for _, path := range []string{"/dashboard/assets/nope.js", "/dashboard/assets/../dashboard.go", "/dashboard/api/nope"} {
		if w := call(h, "GET", path, "127.0.0.1:1", "127.0.0.1", nil, ""); w.Code != 404 {
			t.Errorf("%s: %d, want 404", path, w.Code)
		}
	}
}

func TestSearchQuery(t *testing.T) {
	attrs := map[string]string{"OrderId": "keyword", "OrderN": "int", "Tags": "keyword_list", "Note": "text", "Total": "double"}
	types := `WorkflowType IN ("HandleEventV2", "HandleEvent") AND `
	tests := []struct{ key, want, err string }{
		{key: "o-3", want: types + `(WorkflowId = "o-3" OR HookEventId = "o-3" OR OrderId = "o-3" OR Tags = "o-3")`},
		{key: " 42 ", want: types + `(WorkflowId = "42" OR HookEventId = "42" OR OrderId = "42" OR OrderN = 42 OR Tags = "42" OR Total = 42)`},
		{key: "shop-orders/o-3", want: types + `(WorkflowId = "shop-orders/o-3" OR HookEventId = "shop-orders/o-3" OR OrderId = "shop-orders/o-3" OR Tags = "shop-orders/o-3")`},
		{key: "", err: "type an event id"},
		{key: `x" OR WorkflowId != "`, err: "without quotes"},
		{key: `a\b`, err: "without quotes"},
		{key: "a\nb", err: "without quotes"},
		{key: strings.Repeat("x", 300), err: "longer than 256"},
	}
	for _, tt := range tests {
		got, err := searchQuery(tt.key, attrs)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one saying %q", tt.key, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q:\n got %s (%v)\nwant %s", tt.key, got, err, tt.want)
		}
	}
}

func TestSearchLinksIntoTheWebUI(t *testing.T) {
	closed := time.Now()
	tp := &fakeTemporal{failed: []*workflowpb.WorkflowExecutionInfo{failedExecution(t, "shop-orders/o-3", "r1", "shop-orders", "orders/paid", closed)}}
	h, _ := newTestHandler(t, tp, nil)
	w := call(h, "GET", "/dashboard/api/search?q=o-3", "127.0.0.1:1", "127.0.0.1", nil, "")
	var v searchView
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(v.Runs) != 1 || v.Runs[0].URL != "http://ui.test/namespaces/default/workflows/shop-orders%2Fo-3/r1/history" || v.Runs[0].Status != "failed" {
		t.Errorf("runs %+v", v.Runs)
	}
	if !strings.HasPrefix(v.QueryURL, "http://ui.test/namespaces/default/workflows?query=WorkflowType+IN+") || !strings.Contains(v.QueryURL, "OrderId+%3D+%22o-3%22") {
		t.Errorf("query url %s", v.QueryURL)
	}
	if w := call(h, "GET", "/dashboard/api/search?q=%22", "127.0.0.1:1", "127.0.0.1", nil, ""); w.Code != 400 {
		t.Errorf("a quote: %d %s", w.Code, w.Body)
	}
}

func TestOverview(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	tp := &fakeTemporal{
		failed: []*workflowpb.WorkflowExecutionInfo{
			failedExecution(t, "stripe-events/in_2", "r2", "stripe-events", "invoice.payment_failed", now),
			failedExecution(t, "stripe-events/in_1", "r1", "stripe-events", "invoice.payment_failed", now.Add(-time.Minute)),
		},
		reasons: map[string]string{"r1": "billing.send: HTTP 422: sku unknown", "r2": "billing.send: HTTP 422: sku unknown"},
		latest:  map[string]string{"stripe-events/in_1": "r1-replay"},
		health: map[string]activities.HealthState{
			"crm": {Up: true, Since: now.Add(-10 * time.Minute), Checked: now, Interval: 5 * time.Second},
			"erp": {Up: false, Since: now.Add(-2 * time.Minute), Checked: now, Message: "HTTP 503", Interval: 5 * time.Second},
		},
	}
	h, m := newTestHandler(t, tp, func(context.Context, string) (string, error) { return "", nil })
	for range 5 {
		m.WebhookReceived("shop-orders", 202)
	}
	m.WebhookReceived("shop-orders", 401)
	m.WebhookReceived("shop-orders", 401)
	m.WebhookReceived("shop-orders", 422)
	m.RunStarted("shop-orders", true)
	m.WebhookReceived("unknown", 404)
	for range 3 {
		m.StepCall("crm", "send", telemetry.OutcomeSuccess, 1, 20*time.Millisecond)
	}
	m.StepCall("crm", "send", telemetry.OutcomeRetryable, 2, 2*time.Second)
	m.StepCall("billing", "send", telemetry.OutcomePermanent, 1, 10*time.Millisecond)

	w := call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var v overviewView
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Times) != 60 || v.StepSeconds != 60 || !v.Replay || v.Role != RoleDev {
		t.Errorf("times %d step %g replay %v role %s", len(v.Times), v.StepSeconds, v.Replay, v.Role)
	}
	trig := map[string]triggerView{}
	for _, tv := range v.Triggers {
		trig[tv.Name] = tv
	}
	so := trig["shop-orders"]
	if so.Received != 8 || so.Accepted != 5 || so.Rejected != 3 || so.Duplicates != 1 || !so.Configured {
		t.Errorf("shop-orders %+v", so)
	}
	if len(so.ByStatus) != 2 || so.ByStatus[0] != (statusCount{401, 2}) || so.ByStatus[1] != (statusCount{422, 1}) {
		t.Errorf("shop-orders by status %+v", so.ByStatus)
	}
	// Before the process started there is no data (null); the step so far holds it all.
	if so.AcceptedSeries[0] != nil || *so.AcceptedSeries[59] != 5 || *so.RejectedSeries[59] != 3 {
		t.Errorf("accepted series ends %v, rejected %v", so.AcceptedSeries[58:], so.RejectedSeries[58:])
	}
	if st := trig["stripe-events"]; st.Received != 0 || !st.Configured {
		t.Errorf("a quiet trigger is listed with zeros: %+v", st)
	}
	if u := trig["unknown"]; u.Received != 1 || u.Configured {
		t.Errorf("requests to unknown triggers: %+v", u)
	}
	in := map[string]integrationView{}
	for _, iv := range v.Integrations {
		in[iv.Name] = iv
	}
	crm := in["crm"]
	if crm.Calls != 4 || crm.Succeeded != 3 || crm.Retries != 1 || *crm.SuccessRate != 0.75 || crm.Circuit != "closed" || crm.Health == nil || !crm.Health.Up {
		t.Errorf("crm %+v", crm)
	}
	// p50 of 20ms, 20ms, 20ms, 2s sits in the (10ms, 25ms] bucket; p95 in (1s, 2.5s].
	if *crm.P50Ms <= 10 || *crm.P50Ms > 25 || *crm.P95Ms <= 1000 || *crm.P95Ms > 2500 {
		t.Errorf("crm p50 %gms p95 %gms", *crm.P50Ms, *crm.P95Ms)
	}
	if b := in["billing"]; b.Calls != 1 || *b.SuccessRate != 0 || b.Circuit != "" || b.Health != nil {
		t.Errorf("billing %+v", b)
	}
	erp := in["erp"]
	if erp.Circuit != "open" || erp.Health == nil || erp.Health.Up || erp.Health.Message != "HTTP 503" || len(erp.Health.History) != 1 || !erp.Health.History[0].From.Equal(now.Add(-2*time.Minute)) {
		t.Errorf("erp %+v health %+v", erp, erp.Health)
	}
	if erp.Calls != 0 || erp.SuccessRate != nil || erp.P50Ms != nil {
		t.Errorf("erp made no calls: %+v", erp)
	}
	f := v.Failed
	if f.Error != "" || len(f.Runs) != 2 {
		t.Fatalf("failed %+v", f)
	}
	if tp.queries[0] != `WorkflowType IN ("HandleEventV2", "HandleEvent") AND ExecutionStatus = "Failed"` {
		t.Errorf("failed-run query %s", tp.queries[0])
	}
	r2, r1 := f.Runs[0], f.Runs[1]
	if r2.WorkflowID != "stripe-events/in_2" || r2.Error != "billing.send: HTTP 422: sku unknown" || r2.Latest != "" || r2.Trigger != "stripe-events" || r2.FailedSteps[0] != "invoice-failed/charge" {
		t.Errorf("newest failed run %+v", r2)
	}
	if r2.URL != "http://ui.test/namespaces/default/workflows/stripe-events%2Fin_2/r2/history" {
		t.Errorf("run link %s", r2.URL)
	}
	if r1.Latest != "completed" || r1.LatestURL != "http://ui.test/namespaces/default/workflows/stripe-events%2Fin_1/r1-replay/history" {
		t.Errorf("a replayed failed run says how its replay went: %+v", r1)
	}
	// A second poll within the cache time asks Temporal nothing new.
	lists, describes := len(tp.queries), tp.describe
	call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
	if len(tp.queries) != lists || tp.describe != describes {
		t.Errorf("second poll listed %d and described %d more", len(tp.queries)-lists, tp.describe-describes)
	}
}

func TestOverviewWhenTemporalIsDown(t *testing.T) {
	tp := &fakeTemporal{listErr: errors.New("connection refused")}
	h, m := newTestHandler(t, tp, nil)
	m.WebhookReceived("shop-orders", 503)
	w := call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
	var v overviewView
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if !strings.Contains(v.Failed.Error, "connection refused") || !strings.Contains(v.HealthNote, "no health monitor answers") {
		t.Errorf("failed %q health %q", v.Failed.Error, v.HealthNote)
	}
	if v.Triggers[0].Rejected != 1 {
		t.Errorf("the process's own numbers still show: %+v", v.Triggers)
	}
}

func TestReplay(t *testing.T) {
	var got []string
	h, _ := newTestHandler(t, &fakeTemporal{}, func(_ context.Context, id string) (string, error) {
		got = append(got, id)
		if id == "shop-orders/done" {
			return "", errors.New("shop-orders/done: skipped, its latest run is completed (only failed runs are replayed)")
		}
		return id + ": replaying failed run r1 as r2", nil
	})
	post := func(body string, header map[string]string) *httptest.ResponseRecorder {
		return call(h, "POST", "/dashboard/api/replay", "127.0.0.1:1", "127.0.0.1:8080", header, body)
	}
	if w := post(`{"workflow_id":"stripe-events/in_1"}`, map[string]string{"Origin": "http://127.0.0.1:8080", "Sec-Fetch-Site": "same-origin"}); w.Code != 200 || !strings.Contains(w.Body.String(), "replaying failed run r1 as r2") {
		t.Errorf("replay: %d %s", w.Code, w.Body)
	}
	if w := post(`{"workflow_id":"shop-orders/done"}`, nil); w.Code != 409 || !strings.Contains(w.Body.String(), "only failed runs are replayed") {
		t.Errorf("refused replay: %d %s", w.Code, w.Body)
	}
	if w := post(`{}`, nil); w.Code != 400 {
		t.Errorf("no workflow id: %d %s", w.Code, w.Body)
	}
	// Another site's page cannot make the browser replay (CSRF), even on loopback.
	for _, hdr := range []map[string]string{{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}} {
		if w := post(`{"workflow_id":"stripe-events/in_1"}`, hdr); w.Code != 403 {
			t.Errorf("cross-site replay %v: %d %s", hdr, w.Code, w.Body)
		}
	}
	if w := call(h, "POST", "/dashboard/api/replay", "192.0.2.1:1", "hooks.example.com", nil, `{"workflow_id":"stripe-events/in_1"}`); w.Code != 401 {
		t.Errorf("replay from another host without the token: %d", w.Code)
	}
	if len(got) != 2 {
		t.Errorf("replayer called for %v, want the two allowed requests", got)
	}
	noReplay, _ := newTestHandler(t, &fakeTemporal{}, nil)
	if w := call(noReplay, "POST", "/dashboard/api/replay", "127.0.0.1:1", "127.0.0.1", nil, `{"workflow_id":"x"}`); w.Code != 404 {
		t.Errorf("replay without a replayer: %d", w.Code)
	}
}

func TestHealthHistory(t *testing.T) {
	now := time.Now()
	tp := &fakeTemporal{health: map[string]activities.HealthState{"erp": {Up: true, Since: now.Add(-3 * time.Hour)}}}
	l := newHealthLog(tp, 2*time.Hour)
	l.observe(context.Background(), now.Add(-50*time.Minute))
	tp.health = map[string]activities.HealthState{"erp": {Up: false, Since: now.Add(-40 * time.Minute), Message: "HTTP 503"}}
	l.observe(context.Background(), now.Add(-39*time.Minute))
	l.observe(context.Background(), now.Add(-30*time.Minute)) // unchanged: no new segment
	tp.health = map[string]activities.HealthState{"erp": {Up: true, Since: now.Add(-20 * time.Minute)}}
	l.observe(context.Background(), now.Add(-19*time.Minute))
	segs := l.history(now, time.Hour)["erp"]
	if len(segs) != 3 || !segs[0].Up || segs[1].Up || segs[1].Message != "HTTP 503" || !segs[1].From.Equal(now.Add(-40*time.Minute)) || !segs[2].Up {
		t.Fatalf("history %+v", segs)
	}
	// Half an hour later the window starts inside the outage: the up
	// stretch before it is forgotten, the outage is its first state.
	if segs := l.history(now.Add(30*time.Minute), time.Hour)["erp"]; len(segs) != 2 || segs[0].Up {
		t.Fatalf("history after the window moved %+v", segs)
	}
	// Unwatched, the log still forgets what left its own window (2h here).
	tp.health = map[string]activities.HealthState{"erp": {Up: false, Since: now.Add(3 * time.Hour)}}
	l.observe(context.Background(), now.Add(3*time.Hour))
	if segs := l.segments["erp"]; len(segs) != 2 || segs[0].Up != true || !segs[0].From.Equal(now.Add(-20*time.Minute)) {
		t.Fatalf("kept %+v, want the up stretch holding 2h ago and the new outage", segs)
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	h, _ := newTestHandler(t, &fakeTemporal{}, nil)
	w := call(h, "DELETE", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
	b, _ := io.ReadAll(w.Body)
	if w.Code != 404 || !strings.Contains(string(b), "open /dashboard/") {
		t.Errorf("%d %s", w.Code, b)
	}
}

// TestFailedRunMessageThroughTheCodec: a project that encrypts keeps failure
// messages out of history in the clear; the dashboard reads them with the
// process's failure converter.
func TestFailedRunMessageThroughTheCodec(t *testing.T) {
	keys, err := codec.ParseKeys("k1:" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := codec.New(keys)
	if err != nil {
		t.Fatal(err)
	}
	fc := codec.FailureConverter(codec.DataConverter(enc))
	cause := temporal.NewNonRetryableApplicationError("billing.send: HTTP 422", "HTTP422", nil)
	encoded := fc.ErrorToFailure(temporal.NewNonRetryableApplicationError("rule invoice-failed step charge failed", "StepFailed", cause))
	if encoded.GetMessage() == "rule invoice-failed step charge failed" {
		t.Fatal("the failure converter left the message in the clear")
	}
	tp := &fakeTemporal{
		failed:   []*workflowpb.WorkflowExecutionInfo{failedExecution(t, "stripe-events/in_1", "r1", "stripe-events", "invoice.payment_failed", time.Now())},
		failures: map[string]*failurepb.Failure{"r1": encoded},
	}
	h := New(Options{Role: RoleServe, Temporal: tp, Namespace: "default", Failures: fc}, Project{})
	w := call(h, "GET", "/dashboard/api/overview", "127.0.0.1:1", "127.0.0.1", nil, "")
	var v overviewView
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || len(v.Failed.Runs) != 1 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if got, want := v.Failed.Runs[0].Error, "rule invoice-failed step charge failed: billing.send: HTTP 422"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}
