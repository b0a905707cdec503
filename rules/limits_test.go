package rules

import (
	"strings"
	"testing"
)

func TestLimits(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	scope := renderScope()
	scope.Payload = map[string]any{"s": strings.Repeat("x", 1000), "items": []any{1.0}}
	tests := []struct {
		name string
		tmpl string
		want string
	}{
		{"repeat is disabled", "${{ repeat('x', 1000000000) }}", "unknown name repeat"},
		{"doubling in reduce is bounded", "${{ len(reduce(1..100, #acc + #acc, payload.s)) }}", "evaluation built more than 16 MiB of text"},
		{"large range hits the memory budget", "${{ len(map(1..10000000, #)) }}", "evaluation built more than 1000000 elements"},
		{"too many nodes", "${{ " + strings.Repeat("1 + ", 3000) + "1 }}", "exceeds maximum allowed nodes"},
		{"deep nesting", "${{ " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + " }}", ""},
		{"index out of range", "${{ payload.items[3] + 1 }}", "index out of range"},
		{"division by zero", "${{ 1 % 0 }}", "integer divide by zero"},
		{"type error at run time", "${{ payload.s - 1 }}", "invalid operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Render(tt.tmpl, scope) // must not panic
			if err == nil {
				if tt.want != "" {
					t.Fatalf("no error, want %q", tt.want)
				}
				return
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReduceStillAdds(t *testing.T) {
	e := mustLoad(t, map[string]string{"r.yaml": ruleSrc("r", "[t]", "")})
	got, err := e.Render("${{ reduce(1..4, #acc + #, 0) }}", renderScope())
	if err != nil || got != 10 {
		t.Errorf("got %v %v", got, err)
	}
}
