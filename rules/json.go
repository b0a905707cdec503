package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
)

// DecodeJSON decodes a JSON document the way rules see it: integers that fit
// an int64 stay exact (Shopify and Stripe ids exceed float64's 53 bits),
// other numbers are float64.
func DecodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return normalizeNumbers(v), nil
}

func normalizeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return v.String()
		}
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = normalizeNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = normalizeNumbers(x)
		}
		return v
	default:
		return v
	}
}

// UnmarshalJSON keeps integers in the payload exact when an Input comes back
// from workflow history.
func (in *Input) UnmarshalJSON(data []byte) error {
	type plain Input
	var raw struct {
		plain
		Payload json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*in = Input(raw.plain)
	in.Payload = nil
	if len(raw.Payload) == 0 {
		return nil
	}
	p, err := DecodeJSON(raw.Payload)
	if err != nil {
		return err
	}
	in.Payload = p
	return nil
}

// UnmarshalJSON keeps integers in a step's output exact when it comes back
// from workflow history, as for payloads: a response's or signal's 42 stays
// an integer, as it is in rule tests.
func (s *StepState) UnmarshalJSON(data []byte) error {
	type plain StepState
	var raw struct {
		plain
		Output json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*s = StepState(raw.plain)
	s.Output = nil
	if len(raw.Output) == 0 {
		return nil
	}
	out, err := DecodeJSON(raw.Output)
	if err != nil {
		return err
	}
	s.Output = out
	return nil
}
