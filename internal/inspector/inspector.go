package inspector

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Request is one recorded request.
type Request struct {
	Seq     int               `json:"seq"`
	Bin     string            `json:"bin"`
	Time    time.Time         `json:"time"`
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query,omitempty"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	// Status and Response are what the inspector answered.
	Status   int    `json:"status"`
	Response string `json:"response"`
}

// Response is a canned answer for requests under a bin and path prefix.
type Response struct {
	Status  int               `yaml:"status" json:"status"`
	Headers map[string]string `yaml:"headers" json:"headers,omitempty"`
	// Body is sent as JSON; "{{seq}}" in any string is replaced by the request's sequence number.
	Body any `yaml:"body" json:"body"`
}

// Inspector records requests in memory, keeping the newest Max.
type Inspector struct {
	Max       int
	mu        sync.Mutex
	seq       int
	reqs      []Request
	now       func() time.Time
	responses map[string]Response
}

// New returns an inspector that keeps the newest max requests and answers
// with responses, keyed "bin" or "bin/path/prefix" (the longest match wins);
// anything else gets {"ok": true, "id": "<bin>-<seq>"}.
func New(max int, responses map[string]Response) *Inspector {
	return &Inspector{Max: max, now: time.Now, responses: responses}
}

// SetResponses swaps in the canned answers of a reloaded project; requests
// after it get the new answers.
func (in *Inspector) SetResponses(responses map[string]Response) {
	in.mu.Lock()
	in.responses = responses
	in.mu.Unlock()
}

// answer picks the canned response for rest ("bin/path...").
func (in *Inspector) answer(rest, bin string, seq int) (int, map[string]string, []byte) {
	best := ""
	for prefix := range in.responses {
		if (rest == prefix || strings.HasPrefix(rest, strings.TrimSuffix(prefix, "/")+"/")) && len(prefix) > len(best) {
			best = prefix
		}
	}
	r, ok := in.responses[best]
	if !ok {
		body, _ := json.Marshal(map[string]any{"ok": true, "id": fmt.Sprintf("%s-%d", bin, seq)})
		return http.StatusOK, nil, body
	}
	body, _ := json.Marshal(r.Body)
	body = []byte(strings.ReplaceAll(string(body), "{{seq}}", fmt.Sprint(seq)))
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	return status, r.Headers, body
}

const maxBody = 256 << 10

// ServeHTTP handles /inspect (the page), /inspect/requests (JSON) and
// /inspect/{bin}/... (record and answer). Mount it under /inspect/.
func (in *Inspector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/inspect"), "/")
	switch {
	case rest == "" && r.Method == http.MethodGet:
		in.page(w, r)
	case rest == "requests" && r.Method == http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(filter(in.Requests(r.URL.Query().Get("bin")), r.URL.Query().Get("path")))
	case rest == "requests" && r.Method == http.MethodDelete:
		in.mu.Lock()
		in.reqs = nil
		in.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case rest == "" || rest == "requests":
		http.Error(w, `{"error":"use GET /inspect, GET /inspect/requests, or send to /inspect/{bin}/..."}`, http.StatusMethodNotAllowed)
	default:
		in.record(w, r, rest)
	}
}

func (in *Inspector) record(w http.ResponseWriter, r *http.Request, rest string) {
	bin, _, _ := strings.Cut(rest, "/")
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	headers := map[string]string{}
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ", ")
	}
	in.mu.Lock()
	in.seq++
	seq := in.seq
	status, respHeaders, resp := in.answer(rest, bin, seq)
	in.reqs = append(in.reqs, Request{
		Seq: seq, Bin: bin, Time: in.now().UTC(), Method: r.Method, Path: r.URL.Path,
		Query: r.URL.RawQuery, Headers: headers, Body: string(body), Status: status, Response: string(resp),
	})
	if in.Max > 0 && len(in.reqs) > in.Max {
		in.reqs = in.reqs[len(in.reqs)-in.Max:]
	}
	in.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	for k, v := range respHeaders {
		w.Header().Set(k, v)
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp)
}

// Requests returns the recorded requests, oldest first, optionally of one bin.
func (in *Inspector) Requests(bin string) []Request {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]Request, 0, len(in.reqs))
	for _, r := range in.reqs {
		if bin == "" || r.Bin == bin {
			out = append(out, r)
		}
	}
	return out
}

// filter keeps the requests whose path contains path (all for "").
func filter(reqs []Request, path string) []Request {
	if path == "" {
		return reqs
	}
	out := reqs[:0:0]
	for _, r := range reqs {
		if strings.Contains(r.Path, path) {
			out = append(out, r)
		}
	}
	return out
}
