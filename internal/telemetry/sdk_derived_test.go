package telemetry

import (
	"fmt"
	"testing"
)

// TestSDKWithTagsDerivesOnce: the SDK asks for the same tags with a new map
// each time; the handler it gets is the one derived the first time, while
// other tags, other parents and a map changed after the call get their own.
func TestSDKWithTagsDerivesOnce(t *testing.T) {
	m := New()
	root := m.SDKHandler().WithTags(map[string]string{"namespace": "default"})
	tags := func() map[string]string {
		return map[string]string{"task_queue": "hookflow", "worker_type": "LocalActivityWorker", "activity_type": "CallStep"}
	}
	first := root.WithTags(tags())
	if again := root.WithTags(tags()); again != first {
		t.Errorf("the same tags in a new map derived a second handler")
	}
	other := tags()
	other["activity_type"] = "Evaluate"
	if h := root.WithTags(other); h == first {
		t.Errorf("other tags got the handler of the first")
	}
	if h := m.SDKHandler().WithTags(tags()); h == first {
		t.Errorf("another parent's handler was answered from root's")
	}

	changed := map[string]string{"status": "completed"}
	kept := root.WithTags(changed)
	changed["status"] = "failed" // the SDK's map, changed after the call
	if h := root.WithTags(map[string]string{"status": "completed"}); h != kept {
		t.Errorf("a map changed after WithTags changed the tags its handler is found by")
	}
	if h := root.WithTags(changed); h == kept {
		t.Errorf("other tags in the changed map got the handler of the tags it held before")
	}

	first.Counter("temporal_local_activity_total").Inc(1)
	root.WithTags(tags()).Counter("temporal_local_activity_total").Inc(2)
	got := series(t, m, "temporal_local_activity_total")
	want := []string{`temporal_local_activity_total{activity_type="CallStep",namespace="default",task_queue="hookflow",worker_type="LocalActivityWorker"} 3`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("series = %q, want %q", got, want)
	}
}

// TestSDKWithTagsBeyondTheBound: past maxDerivedHandlers a handler derives
// tags each time instead of keeping them, and every series still counts.
func TestSDKWithTagsBeyondTheBound(t *testing.T) {
	m := New()
	root := m.SDKHandler()
	n := maxDerivedHandlers + 20
	for i := range n {
		for range 2 {
			root.WithTags(map[string]string{"operation": fmt.Sprint("op", i)}).Counter("temporal_request").Inc(1)
		}
	}
	if kept := root.(*sdkHandler).derived.n; kept != maxDerivedHandlers {
		t.Errorf("kept %d derived handlers, want the bound %d", kept, maxDerivedHandlers)
	}
	got := series(t, m, "temporal_request")
	if len(got) != n {
		t.Fatalf("%d series, want %d", len(got), n)
	}
	for _, s := range got {
		if s[len(s)-2:] != " 2" {
			t.Errorf("series %s, want a count of 2", s)
		}
	}
}
