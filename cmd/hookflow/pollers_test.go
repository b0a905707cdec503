package main

import (
	"reflect"
	"strings"
	"testing"

	"go.temporal.io/sdk/worker"
)

func TestPollerBehavior(t *testing.T) {
	auto := worker.NewPollerBehaviorAutoscaling(worker.PollerBehaviorAutoscalingOptions{})
	for _, v := range []string{"auto", "AUTO", ""} {
		b, err := pollerBehavior(v)
		if err != nil || !reflect.DeepEqual(b, auto) {
			t.Errorf("--pollers %q: %#v, %v; want the SDK's autoscaling", v, b, err)
		}
	}
	b, err := pollerBehavior("8")
	if want := worker.NewPollerBehaviorSimpleMaximum(worker.PollerBehaviorSimpleMaximumOptions{MaximumNumberOfPollers: 8}); err != nil || !reflect.DeepEqual(b, want) {
		t.Fatalf("--pollers 8: %#v, %v; want at most 8 pollers", b, err)
	}
	for _, bad := range []string{"1", "0", "-3", "many", "2.5"} {
		if _, err := pollerBehavior(bad); err == nil || !strings.Contains(err.Error(), `"auto" or a number of at least 2`) {
			t.Errorf("--pollers %q: %v; want a message that says what to give", bad, err)
		}
	}
}

// worker and dev refuse a bad --pollers before they connect or start a
// server, with the flag's own message.
func TestPollersFlagRefused(t *testing.T) {
	for _, cmd := range []string{"worker", "dev"} {
		var out, errOut syncBuffer
		err := run(t.Context(), []string{cmd, "--pollers", "1", "--project", "../../samples/shop"}, mapEnv(nil), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), `--pollers "1"`) || !strings.Contains(err.Error(), "at least 2") {
			t.Errorf("%s --pollers 1: %v; want the flag's refusal", cmd, err)
		}
	}
}
