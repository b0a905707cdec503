package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hookflow/hookflow/internal/project"
	"github.com/hookflow/hookflow/triggers"
	"github.com/hookflow/hookflow/workflows"
)

// seenStarter starts each workflow id once, like USE_EXISTING does.
type seenStarter struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (s *seenStarter) Start(_ context.Context, in workflows.Input) (triggers.Started, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := triggers.WorkflowID(in.Event.Event.Trigger, in.Event.Event.ID)
	dup := s.seen[id]
	s.seen[id] = true
	return triggers.Started{WorkflowID: id, RunID: "r", Duplicate: dup}, nil
}

func (s *seenStarter) starts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// TestSendExplainsDuplicatesAndFresh: re-sending a sample after editing a
// rule answered "duplicate": true with no word why (paper cut 1). send now
// says which dedupe answered and how to send a fresh event, and --fresh does.
func TestSendExplainsDuplicatesAndFresh(t *testing.T) {
	for _, tc := range []struct {
		name, project, trigger, file, says string
	}{
		{"body dedupe", "../../samples/shop", "shop-orders", "events/order-paid.json", "remembers bodies for"},
		{"event id in the payload", "../../samples/billing", "stripe", "events/invoice-payment-failed.json", "takes the event id from payload.id"},
		{"event id from an expression", "../../samples/leads", "leads", "events/lead-ada.json", "takes the event id from payload.submission_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := project.Load(tc.project, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			trigger, file := tc.trigger, tc.project+"/"+tc.file
			st := &seenStarter{seen: map[string]bool{}}
			srv := httptest.NewServer(triggers.NewServer(triggers.Deps{Triggers: p.Triggers, Starter: st}))
			defer srv.Close()
			send := func(args ...string) string {
				var stdout, stderr bytes.Buffer
				argv := append([]string{"send", trigger, file, "--project", tc.project, "--url", srv.URL}, args...)
				if err := run(context.Background(), argv, noEnv, &stdout, &stderr); err != nil {
					t.Fatalf("send %v: %v\n%s%s", args, err, &stdout, &stderr)
				}
				return stdout.String()
			}
			if out := send(); strings.Contains(out, "duplicate: ") {
				t.Fatalf("first send:\n%s", out)
			}
			out := send()
			if !strings.Contains(out, `"duplicate": true`) || !strings.Contains(out, tc.says) || !strings.Contains(out, "--fresh") {
				t.Fatalf("second send does not explain the duplicate (want %q):\n%s", tc.says, out)
			}
			if out := send("--fresh"); strings.Contains(out, `"duplicate": true`) {
				t.Fatalf("--fresh was a duplicate:\n%s", out)
			}
			if n := st.starts(); n != 2 {
				t.Fatalf("%d runs started, want 2 (first send, --fresh)", n)
			}
		})
	}
	t.Run("a reused delivery id", func(t *testing.T) {
		p, err := project.Load("../../samples/shop", noEnv)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(triggers.NewServer(triggers.Deps{Triggers: p.Triggers, Starter: &seenStarter{seen: map[string]bool{}}}))
		defer srv.Close()
		var out bytes.Buffer
		for _, f := range []string{"order-paid.json", "order-small.json"} {
			out.Reset()
			if err := run(context.Background(), []string{"send", "shop-orders", "../../samples/shop/events/" + f, "--project", "../../samples/shop", "--url", srv.URL, "--id", "msg_same"}, noEnv, &out, &out); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(out.String(), "duplicate: delivery id msg_same already started shop-orders/msg_same") {
			t.Fatalf("%s", &out)
		}
	})
}
