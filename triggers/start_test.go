package triggers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	grpcstatus "google.golang.org/grpc/status"

	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/workflows"
)

func TestWorkflowIDEncodesWhatGRPCCannotCarry(t *testing.T) {
	for _, c := range []struct{ id, want string }{
		{"evt_123", "t/evt_123"},
		{"café-1", "t/caf%C3%A9-1"},
		{"a\x00b\nc\x7f", "t/a%00b%0Ac%7F"},
		{"50%", "t/50%25"},
		{"with space", "t/with space"},
		{"\xff\xfe", "t/%FF%FE"},
		{strings.Repeat("é", 100), "t/sha256-"},
	} {
		got := WorkflowID("t", c.id)
		if strings.HasSuffix(c.want, "sha256-") {
			if !strings.HasPrefix(got, c.want) || len(got) != len("t/sha256-")+64 {
				t.Errorf("WorkflowID(%q) = %q, want a hash", c.id, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("WorkflowID(%q) = %q, want %q", c.id, got, c.want)
		}
		for i := 0; i < len(got); i++ {
			if got[i] < 0x20 || got[i] > 0x7e {
				t.Errorf("WorkflowID(%q) = %q holds byte %#x", c.id, got, got[i])
			}
		}
	}
	if WorkflowID("t", "%41") == WorkflowID("t", "A") {
		t.Error("two ids share a workflow id")
	}
}

func TestClassifyStart(t *testing.T) {
	for _, c := range []struct {
		name   string
		err    error
		status int
		says   string
	}{
		{"unreachable", serviceerror.NewUnavailable("connection refused"), http.StatusServiceUnavailable, "retry"},
		{"overloaded", serviceerror.NewResourceExhausted(0, "busy"), http.StatusServiceUnavailable, "retry"},
		{"timed out", context.DeadlineExceeded, http.StatusServiceUnavailable, "retry"},
		{"no namespace", serviceerror.NewNamespaceNotFound("ns"), http.StatusInternalServerError, "hookflow setup"},
		{"no search attributes", serviceerror.NewInvalidArgument("search attribute HookTrigger is not defined"), http.StatusInternalServerError, "hookflow setup"},
		{"no search attributes (SQL visibility)", serviceerror.NewInvalidArgument("Namespace default has no mapping defined for search attribute HookStatus"), http.StatusInternalServerError, "hookflow setup"},
		{"value over the limit", serviceerror.NewInvalidArgument("search attribute HookEventType value size 3000 exceeds size limit 2048"), http.StatusUnprocessableEntity, "exceeds"},
		{"denied", serviceerror.NewPermissionDenied("no", ""), http.StatusInternalServerError, "credentials"},
		{"unauthenticated", grpcstatus.Error(codes.Unauthenticated, "bad key"), http.StatusInternalServerError, "credentials"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := classifyStart("ns", c.err)
			if got := status(err); got != c.status || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("%d %q, want %d saying %q", got, err, c.status, c.says)
			}
			if c.status != http.StatusUnprocessableEntity && !errors.Is(err, c.err) {
				t.Fatalf("the cause is lost: %v", err)
			}
		})
	}
}

func TestStartLimits(t *testing.T) {
	in := func(typ, key string) workflows.Input {
		return workflows.Input{Correlation: key, Event: rules.Input{Event: rules.Event{Type: typ}}}
	}
	if err := checkLimits(in(strings.Repeat("x", 2000), strings.Repeat("k", 2000))); err != nil {
		t.Fatalf("values under 2 KB: %v", err)
	}
	for _, c := range []struct {
		in   workflows.Input
		says string
	}{{in(strings.Repeat("x", 2100), ""), "event type"}, {in("t", strings.Repeat("k", 2100)), "correlation key"}} {
		if err := checkLimits(c.in); status(err) != http.StatusUnprocessableEntity || !strings.Contains(err.Error(), c.says) {
			t.Fatalf("%d %v, want 422 naming the %s", status(err), err, c.says)
		}
	}
	s := fitSummary("orders · " + strings.Repeat("é", 500))
	if encodedLen(s) > maxSummary || !utf8.ValidString(s) || !strings.HasPrefix(s, "orders · é") || !strings.HasSuffix(s, "…") {
		t.Fatalf("summary %q (%d bytes encoded)", s, encodedLen(s))
	}
	if s := fitSummary("orders · paid"); s != "orders · paid" {
		t.Fatalf("a short summary changed: %q", s)
	}
}
