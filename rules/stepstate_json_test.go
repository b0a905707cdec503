package rules

import (
	"encoding/json"
	"testing"
)

func TestStepStateKeepsIntegersExact(t *testing.T) {
	in := StepState{Status: "succeeded", Output: map[string]any{"id": int64(820982911946154508), "price": 1.5}, TimedOut: true}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out StepState
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	m := out.Output.(map[string]any)
	if m["id"] != int64(820982911946154508) || m["price"] != 1.5 || out.Status != "succeeded" || !out.TimedOut {
		t.Fatalf("round trip gave %#v", out)
	}
}
