package integrations

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
)

// DecodeAny decodes a JSON document into plain Go values, keeping integers
// that fit an int64 exact: vendors' ids (Shopify's, Stripe's, Discord's)
// exceed float64's 53 bits, and a rounded id in a step's output would be
// sent on to the next call. Other numbers are float64.
func DecodeAny(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one JSON value")
	}
	return exactNumbers(v), nil
}

func exactNumbers(v any) any {
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
			v[k] = exactNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = exactNumbers(x)
		}
		return v
	default:
		return v
	}
}
