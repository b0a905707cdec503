package inspector

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"html/template"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Parse(pageHTML))

type pageData struct {
	Requests []pageRequest
	Total    int
	Bins     []binCount
	Bin      string
	Path     string
}

type binCount struct {
	Name  string
	Count int
}

type pageRequest struct {
	Request
	Headers  []header
	Body     template.HTML
	Response template.HTML
	// Class colours the answered status: ok (2xx), warn (4xx), bad (5xx).
	Class string
}

type header struct{ Name, Value string }

// page shows the recorded requests, newest first, filtered by ?bin= and
// ?path= (a substring of the path), with JSON bodies pretty-printed.
func (in *Inspector) page(w http.ResponseWriter, r *http.Request) {
	all := in.Requests("")
	bin, path := r.URL.Query().Get("bin"), strings.TrimSpace(r.URL.Query().Get("path"))
	counts := map[string]int{}
	for _, q := range all {
		counts[q.Bin]++
	}
	d := pageData{Total: len(all), Bin: bin, Path: path}
	for name, n := range counts {
		d.Bins = append(d.Bins, binCount{name, n})
	}
	sort.Slice(d.Bins, func(i, j int) bool { return d.Bins[i].Name < d.Bins[j].Name })
	shown := filter(in.Requests(bin), path)
	slices.Reverse(shown)
	for _, q := range shown {
		p := pageRequest{Request: q, Body: pretty(q.Body), Response: pretty(q.Response), Class: statusClass(q.Status)}
		for _, k := range slices.Sorted(maps.Keys(q.Headers)) {
			p.Headers = append(p.Headers, header{k, q.Headers[k]})
		}
		d.Requests = append(d.Requests, p)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, d)
}

func statusClass(status int) string {
	switch {
	case status >= 500:
		return "bad"
	case status >= 400:
		return "warn"
	}
	return "ok"
}

// jsonToken matches the parts of indented JSON worth a colour: strings
// (keys when a colon follows), literals and numbers.
var jsonToken = regexp.MustCompile(`"(?:[^"\\]|\\.)*"(\s*:)?|\b(?:true|false|null)\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?`)

// pretty indents a JSON body and colours its tokens; any other body is
// shown as it is. Every piece is HTML-escaped.
func pretty(body string) template.HTML {
	var buf bytes.Buffer
	if !json.Valid([]byte(body)) || json.Indent(&buf, []byte(body), "", "  ") != nil {
		return template.HTML(template.HTMLEscapeString(body))
	}
	s := buf.String()
	var out strings.Builder
	last := 0
	for _, m := range jsonToken.FindAllStringSubmatchIndex(s, -1) {
		out.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		tok := s[m[0]:m[1]]
		class := "n"
		switch {
		case m[2] >= 0:
			class = "k"
			tok = s[m[0]:m[2]]
		case tok[0] == '"':
			class = "s"
		case tok == "true" || tok == "false" || tok == "null":
			class = "l"
		}
		out.WriteString(`<span class="` + class + `">` + template.HTMLEscapeString(tok) + `</span>`)
		if m[2] >= 0 {
			out.WriteString(template.HTMLEscapeString(s[m[2]:m[3]]))
		}
		last = m[1]
	}
	out.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(out.String())
}
