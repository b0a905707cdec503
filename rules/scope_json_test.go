package rules

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestScopeJSONRoundTrip guards against Input.UnmarshalJSON being promoted to
// Scope and dropping steps and failure.
func TestScopeJSONRoundTrip(t *testing.T) {
	in := Scope{
		Input:   Input{Event: Event{ID: "e1", Trigger: "t"}, Headers: map[string]string{"a": "b"}, Payload: map[string]any{"id": int64(9007199254740993)}},
		Steps:   map[string]StepState{"a": {Status: "succeeded", Output: "x"}},
		Failure: &Failure{Step: "a", Message: "m"},
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out Scope
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("round trip:\n got %#v\nwant %#v", out, in)
	}
}
