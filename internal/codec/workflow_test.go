package codec

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// recorder wraps the codec and keeps what it writes, standing in for history.
type recorder struct {
	converter.PayloadCodec
	mu      sync.Mutex
	written []*commonpb.Payload
}

func (r *recorder) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out, err := r.PayloadCodec.Encode(ps)
	r.mu.Lock()
	r.written = append(r.written, out...)
	r.mu.Unlock()
	return out, err
}

type order struct {
	Email string
	Total float64
}

func greet(_ context.Context, o order) (string, error) {
	if o.Total < 0 {
		return "", temporal.NewNonRetryableApplicationError("crm rejected contact "+o.Email, "CRMRejected", nil)
	}
	return "contact for " + o.Email, nil
}

func orderWorkflow(ctx workflow.Context, o order) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out string
	err := workflow.ExecuteActivity(ctx, "greet", o).Get(ctx, &out)
	return out, err
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	rec := &recorder{PayloadCodec: mustNew(t, newKey(t, "k1"))}
	dc := DataConverter(rec)
	env.SetDataConverter(dc)
	env.SetFailureConverter(FailureConverter(dc))
	env.RegisterWorkflow(orderWorkflow)
	env.RegisterActivityWithOptions(greet, activity.RegisterOptions{Name: "greet"})
	return env, rec
}

func assertNothingInClear(t *testing.T, rec *recorder, needle string) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.written) == 0 {
		t.Fatal("the codec was never used")
	}
	for i, p := range rec.written {
		if string(p.Metadata[converter.MetadataEncoding]) != Encoding {
			t.Errorf("payload %d is not encrypted: %v", i, p)
		}
		raw, _ := p.Marshal()
		if bytes.Contains(raw, []byte(needle)) {
			t.Errorf("payload %d contains %q in clear", i, needle)
		}
	}
}

func TestWorkflowRunsWithEncryption(t *testing.T) {
	env, rec := newEnv(t)
	env.ExecuteWorkflow(orderWorkflow, order{Email: "alice@example.com", Total: 612.5})
	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete")
	}
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := env.GetWorkflowResult(&got); err != nil {
		t.Fatal(err)
	}
	if got != "contact for alice@example.com" {
		t.Errorf("result = %q", got)
	}
	assertNothingInClear(t, rec, "alice")
}

func TestWorkflowFailureIsEncryptedAndReadable(t *testing.T) {
	env, rec := newEnv(t)
	env.ExecuteWorkflow(orderWorkflow, order{Email: "bob@example.com", Total: -1})
	err := env.GetWorkflowError()
	if err == nil {
		t.Fatal("workflow succeeded, want the activity's failure")
	}
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "CRMRejected" {
		t.Fatalf("error = %v, want the CRMRejected application error", err)
	}
	// The failure message crossed the converter encrypted and came back whole.
	if !strings.Contains(appErr.Error(), "crm rejected contact bob@example.com") {
		t.Errorf("error message = %q", appErr.Error())
	}
	assertNothingInClear(t, rec, "bob")
	if !recorded(t, rec, "crm rejected contact") {
		t.Error("the failure message never went through the codec")
	}
}

// recorded reports whether any payload the codec wrote decrypts to text
// containing s.
func recorded(t *testing.T, rec *recorder, s string) bool {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	plain, err := rec.Decode(rec.written)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plain {
		if bytes.Contains(p.Data, []byte(s)) {
			return true
		}
	}
	return false
}
