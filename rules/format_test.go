package rules

import "testing"

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{nil, ""}, {"a", "a"}, {int64(820982911946154508), "820982911946154508"}, {1e21, "1000000000000000000000"},
		{2.5, "2.5"}, {true, "true"}, {map[string]any{"b": 1, "a": []any{"x"}}, `{"a":["x"],"b":1}`},
	} {
		if got, err := Format(tc.in); err != nil || got != tc.want {
			t.Errorf("Format(%#v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
