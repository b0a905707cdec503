package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// curlCommand is req as a curl command a shell runs as it is: every
// argument in single quotes, the body byte for byte (the signature covers
// it), headers sorted so the output is stable.
func curlCommand(req *http.Request, body []byte, signsTimestamp bool) string {
	var b strings.Builder
	if signsTimestamp {
		b.WriteString("# the signature carries a timestamp: the receiver accepts it for its tolerance (5 minutes by default)\n")
	}
	fmt.Fprintf(&b, "curl -sS -X %s %s", req.Method, shellQuote(req.URL.String()))
	for _, name := range slices.Sorted(maps.Keys(req.Header)) {
		for _, v := range req.Header[name] {
			fmt.Fprintf(&b, " \\\n  -H %s", shellQuote(name+": "+v))
		}
	}
	fmt.Fprintf(&b, " \\\n  --data-binary %s\n", shellQuote(string(body)))
	return b.String()
}

// shellQuote quotes s for a POSIX shell: inside single quotes nothing is
// special but the quote itself, written '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
