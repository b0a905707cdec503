package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The second baseline: the least a durable Temporal relay does. An HTTP
// front starts one workflow per event (eagerly, as hookflow dev does) on
// its own task queue and answers 202; the workflow runs the same number of
// calls in sequence as the measured rule, each an activity with the SDK's
// default retry policy. No matching, rendering, search attributes or
// recording: the difference to hookflow is what hookflow adds.
const (
	BaselineTaskQueue    = "hookbench-baseline"
	BaselineWorkflowName = "HookbenchBaseline"
	BaselineActivityName = "HookbenchCall"
)

// BaselineInput is the baseline workflow's input: the event as received.
type BaselineInput struct {
	Receiver string `json:"receiver"`
	Calls    int    `json:"calls"`
	Body     []byte `json:"body"`
}

// BaselineCall is one call: the body goes to the receiver with the key.
type BaselineCall struct {
	URL  string `json:"url"`
	Key  string `json:"key"`
	Body []byte `json:"body"`
}

// BaselineWorkflow makes the calls one after another.
func BaselineWorkflow(ctx workflow.Context, in BaselineInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	id := workflow.GetInfo(ctx).WorkflowExecution.ID
	for i := range in.Calls {
		call := BaselineCall{URL: in.Receiver + "/temporal/" + strconv.Itoa(i), Key: id + "/" + strconv.Itoa(i), Body: in.Body}
		if err := workflow.ExecuteActivity(ctx, BaselineActivityName, call).Get(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}

// BaselineActivities holds the baseline's HTTP client.
type BaselineActivities struct{ Client *http.Client }

// Call posts one call; a non-2xx answer is an error, so Temporal retries.
func (a *BaselineActivities) Call(ctx context.Context, c BaselineCall) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(c.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", c.Key)
	resp, err := a.Client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return nil
}

// RegisterBaseline registers the baseline's workflow and activity on w.
func RegisterBaseline(w worker.Registry, acts *BaselineActivities) {
	w.RegisterWorkflowWithOptions(BaselineWorkflow, workflow.RegisterOptions{Name: BaselineWorkflowName})
	w.RegisterActivityWithOptions(acts.Call, activity.RegisterOptions{Name: BaselineActivityName})
}

// BaselineFront is the baseline's HTTP front: one workflow start per POST.
type BaselineFront struct {
	Client   client.Client
	Receiver string
	Calls    int
}

func (f *BaselineFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	id := ""
	for _, h := range deliveryHeaders {
		if id = r.Header.Get(h); id != "" {
			break
		}
	}
	if id == "" {
		sum := sha256.Sum256(body)
		id = hex.EncodeToString(sum[:16])
	}
	_, err = f.Client.ExecuteWorkflow(r.Context(), client.StartWorkflowOptions{
		ID:               "hookbench/" + id,
		TaskQueue:        BaselineTaskQueue,
		EnableEagerStart: true,
	}, BaselineWorkflowName, BaselineInput{Receiver: f.Receiver, Calls: f.Calls, Body: body})
	if err != nil {
		http.Error(w, "start: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
