package devserver

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.temporal.io/server/chasm"
	"go.temporal.io/server/common/persistence"
)

// storeStub is the store freshRuns stands in front of, for the methods it
// changes: a start writes (and runs during, if set), a read answers
// NextEventID -1.
type storeStub struct {
	persistence.ExecutionStore // nil: freshRuns passes nothing else here in these tests
	createErr                  error
	during                     func()
	reads                      int
}

func (s *storeStub) CreateWorkflowExecution(context.Context, *persistence.InternalCreateWorkflowExecutionRequest) (*persistence.InternalCreateWorkflowExecutionResponse, error) {
	if s.during != nil {
		s.during()
	}
	return &persistence.InternalCreateWorkflowExecutionResponse{}, s.createErr
}

func (s *storeStub) GetWorkflowExecution(context.Context, *persistence.GetWorkflowExecutionRequest) (*persistence.InternalGetWorkflowExecutionResponse, error) {
	s.reads++
	return &persistence.InternalGetWorkflowExecutionResponse{State: &persistence.InternalWorkflowMutableState{NextEventID: -1}}, nil
}

func (s *storeStub) UpdateWorkflowExecution(context.Context, *persistence.InternalUpdateWorkflowExecutionRequest) error {
	return nil
}

func (s *storeStub) ConflictResolveWorkflowExecution(context.Context, *persistence.InternalConflictResolveWorkflowExecutionRequest) error {
	return nil
}

func (s *storeStub) SetWorkflowExecution(context.Context, *persistence.InternalSetWorkflowExecutionRequest) error {
	return nil
}

func (s *storeStub) DeleteWorkflowExecution(context.Context, *persistence.DeleteWorkflowExecutionRequest) error {
	return nil
}

func startRequest(id string) *persistence.InternalCreateWorkflowExecutionRequest {
	return &persistence.InternalCreateWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID,
		NewWorkflowSnapshot: persistence.InternalWorkflowSnapshot{NamespaceID: "ns", WorkflowID: id, RunID: "run-" + id, NextEventID: 3, DBRecordVersion: 1}}
}

func readRequest(id string) *persistence.GetWorkflowExecutionRequest {
	return &persistence.GetWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID, NamespaceID: "ns", WorkflowID: id, RunID: "run-" + id}
}

func updateRequest(id string) *persistence.InternalUpdateWorkflowExecutionRequest {
	return &persistence.InternalUpdateWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID,
		UpdateWorkflowMutation: persistence.InternalWorkflowMutation{NamespaceID: "ns", WorkflowID: id, RunID: "run-" + id}}
}

// TestFreshRunsAnswerOnlyWhatTheStartWrote: a started run's first read is
// answered from what its start wrote, and only while nothing newer can be
// in the database: not twice, not after another write to the run (of any
// kind, even one that began while the start was under way), not after a
// failed start, not for another run, and not beyond the bound.
func TestFreshRunsAnswerOnlyWhatTheStartWrote(t *testing.T) {
	ctx := context.Background()
	// reads is where each read of the runs named was answered.
	reads := func(t *testing.T, s *freshRuns, stub *storeStub, ids ...string) []string {
		t.Helper()
		var got []string
		for _, id := range ids {
			before := stub.reads
			resp, err := s.GetWorkflowExecution(ctx, readRequest(id))
			switch {
			case err != nil:
				t.Fatal(err)
			case stub.reads > before && resp.State.NextEventID == -1:
				got = append(got, "store")
			case stub.reads == before && resp.State.NextEventID == 3 && resp.DBRecordVersion == 1:
				got = append(got, "memory")
			default:
				t.Fatalf("%s: a read answered %+v with %d store reads", id, resp.State, stub.reads-before)
			}
		}
		return got
	}
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *freshRuns, stub *storeStub) []string
		want []string
	}{
		{"read twice", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			mustCreate(t, s, "a")
			return reads(t, s, stub, "a", "a")
		}, []string{"memory", "store"}},
		{"written again", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			mustCreate(t, s, "a")
			if err := s.UpdateWorkflowExecution(ctx, updateRequest("a")); err != nil {
				t.Fatal(err)
			}
			return reads(t, s, stub, "a")
		}, []string{"store"}},
		{"written by every other kind of write", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			for _, id := range []string{"reset", "new", "current", "set", "deleted", "continued"} {
				mustCreate(t, s, id)
			}
			snap := func(id string) persistence.InternalWorkflowSnapshot { return startRequest(id).NewWorkflowSnapshot }
			newRun := snap("new")
			current := updateRequest("current").UpdateWorkflowMutation
			for _, err := range []error{
				s.ConflictResolveWorkflowExecution(ctx, &persistence.InternalConflictResolveWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID,
					ResetWorkflowSnapshot: snap("reset"), NewWorkflowSnapshot: &newRun, CurrentWorkflowMutation: &current}),
				s.SetWorkflowExecution(ctx, &persistence.InternalSetWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID, SetWorkflowSnapshot: snap("set")}),
				s.DeleteWorkflowExecution(ctx, &persistence.DeleteWorkflowExecutionRequest{ShardID: 1, ArchetypeID: chasm.WorkflowArchetypeID, NamespaceID: "ns", WorkflowID: "deleted", RunID: "run-deleted"}),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
			continued := updateRequest("other")
			continuedRun := snap("continued")
			continued.NewWorkflowSnapshot = &continuedRun // a run continued as new
			if err := s.UpdateWorkflowExecution(ctx, continued); err != nil {
				t.Fatal(err)
			}
			return reads(t, s, stub, "reset", "new", "current", "set", "deleted", "continued")
		}, []string{"store", "store", "store", "store", "store", "store"}},
		{"written while starting", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			stub.during = func() { _ = s.UpdateWorkflowExecution(ctx, updateRequest("a")) }
			mustCreate(t, s, "a")
			return reads(t, s, stub, "a")
		}, []string{"store"}},
		{"failed start", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			stub.createErr = errors.New("disk full")
			if _, err := s.CreateWorkflowExecution(ctx, startRequest("a")); err == nil {
				t.Fatal("the store's error was not returned")
			}
			return reads(t, s, stub, "a")
		}, []string{"store"}},
		{"another run", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			mustCreate(t, s, "a")
			return reads(t, s, stub, "b", "a")
		}, []string{"store", "memory"}},
		{"bounded", func(t *testing.T, s *freshRuns, stub *storeStub) []string {
			s = newFreshRuns(stub, 2)
			for _, id := range []string{"a", "b", "c"} {
				mustCreate(t, s, id)
			}
			return reads(t, s, stub, "a", "b", "c")
		}, []string{"store", "memory", "memory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stub := &storeStub{}
			s := newFreshRuns(stub, 16)
			if got := tc.run(t, s, stub); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("reads answered from %v, want %v", got, tc.want)
			}
		})
	}
}

func mustCreate(t *testing.T, s *freshRuns, id string) {
	t.Helper()
	if _, err := s.CreateWorkflowExecution(context.Background(), startRequest(id)); err != nil {
		t.Fatal(err)
	}
}

// TestFreshRunsReadAsTheStoreDoes: on a dev server, every read of a run's
// state answered from memory equals what the database holds for the run
// at that moment, for runs started eagerly and through a task queue,
// signalled, started with a signal and terminated; each run's first read
// is answered from memory; and every run ends as its workflow says.
func TestFreshRunsReadAsTheStoreDoes(t *testing.T) {
	var mu sync.Mutex
	served := map[string]int{} // reads answered from memory, by workflow ID
	verify := func(ctx context.Context, store persistence.ExecutionStore, req *persistence.GetWorkflowExecutionRequest, state *persistence.InternalWorkflowMutableState) {
		stored, err := store.GetWorkflowExecution(ctx, req)
		mu.Lock()
		defer mu.Unlock()
		served[req.WorkflowID]++
		switch {
		case err != nil:
			t.Errorf("%s: the store could not read a run answered from memory: %v", req.WorkflowID, err)
		case !reflect.DeepEqual(state, stored.State) || stored.DBRecordVersion != state.DBRecordVersion:
			t.Errorf("%s: answered from memory\n%+v\nthe store holds\n%+v", req.WorkflowID, state, stored.State)
		}
	}
	verifyFreshRun.Store(&verify)
	t.Cleanup(func() { verifyFreshRun.Store(nil) })

	s := startMemoryServer(t)
	c, err := client.Dial(client.Options{HostPort: s.Addr(), Logger: quietSDKLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "fresh", worker.Options{})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context, in string) (string, error) {
		return "quick " + in, nil
	}, workflow.RegisterOptions{Name: "Quick"})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context, in string) (string, error) {
		var got string
		workflow.GetSignalChannel(ctx, "go").Receive(ctx, &got)
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return "", err
		}
		return in + " " + got, nil
	}, workflow.RegisterOptions{Name: "Waits"})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want := map[string]string{}
	var runs []client.WorkflowRun
	start := func(id, workflowType, in string, eager bool) client.WorkflowRun {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "fresh", EnableEagerStart: eager}, workflowType, in)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, run)
		return run
	}
	for i := range 5 {
		id := fmt.Sprintf("quick-%d", i)
		start(id, "Quick", id, i%2 == 0)
		want[id] = "quick " + id
	}
	for i := range 3 {
		id := fmt.Sprintf("waits-%d", i)
		run := start(id, "Waits", id, i == 0)
		if err := c.SignalWorkflow(ctx, id, run.GetRunID(), "go", "now"); err != nil {
			t.Fatal(err)
		}
		want[id] = id + " now"
	}
	run, err := c.SignalWithStartWorkflow(ctx, "signalled", "go", "first", client.StartWorkflowOptions{TaskQueue: "fresh"}, "Waits", "signalled")
	if err != nil {
		t.Fatal(err)
	}
	runs = append(runs, run)
	want["signalled"] = "signalled first"
	terminated := start("terminated", "Waits", "terminated", false)
	if err := c.TerminateWorkflow(ctx, "terminated", terminated.GetRunID(), "test"); err != nil {
		t.Fatal(err)
	}

	for _, run := range runs {
		var got string
		err := run.Get(ctx, &got)
		if run.GetID() == "terminated" {
			var term *temporal.TerminatedError
			if !errors.As(err, &term) {
				t.Errorf("terminated: %v, want terminated", err)
			}
			continue
		}
		if err != nil || got != want[run.GetID()] {
			t.Errorf("%s: %q, %v; want %q", run.GetID(), got, err, want[run.GetID()])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for _, run := range runs {
		if n := served[run.GetID()]; n != 1 {
			t.Errorf("%s: %d reads answered from memory, want its first", run.GetID(), n)
		}
	}
}
