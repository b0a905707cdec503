package triggers

import (
	"encoding/json"
	"net/http"

	"github.com/gin-gonic/gin"
)

// answer writes every JSON answer of the webhook server as a person reads it
// with curl: one line ending in a newline, with <, > and & as they are.
// nosniff keeps a browser from reading a JSON answer as HTML.
func answer(c *gin.Context, code int, v any) {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Render(code, jsonLine{v})
}

// jsonLine is a gin renderer; gin's own JSON escapes HTML and ends without a newline.
type jsonLine struct{ v any }

func (j jsonLine) Render(w http.ResponseWriter) error {
	j.WriteContentType(w)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(j.v)
}

func (jsonLine) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
}
