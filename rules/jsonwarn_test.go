package rules

import (
	"strings"
	"testing"
)

func TestWarnsAboutTemplatesInJSONStrings(t *testing.T) {
	src := "name: r\non: t\nsteps:\n  - id: a\n    call: partner.send\n    with:\n" +
		"      body: '{\"name\": \"${{ payload.name }}\", \"n\": ${{ json(payload.n) }}}'\n" +
		"      text: 'plain \"${{ payload.name }}\" is not JSON'\n"
	e, err := LoadFiles(map[string][]byte{"r.yaml": []byte(src)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := e.Warnings()
	if len(w) != 1 || !strings.Contains(w[0].Error(), "r.yaml:7:") || !strings.Contains(w[0].Msg, "${{ payload.name }} sits inside a JSON string") || !strings.Contains(w[0].Msg, "json(payload.name)") {
		t.Fatalf("warnings = %v", w)
	}
}
