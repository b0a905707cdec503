package codec

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"go.temporal.io/sdk/converter"
)

// Routes the Web UI calls when its codec endpoint is set to <base>/codec.
const (
	EncodePath = "/codec/encode"
	DecodePath = "/codec/decode"
)

// maxBody bounds one encode/decode request. The Web UI batches the payloads of
// a history page; Temporal's own blob limit is 2 MiB per payload.
const maxBody = 16 << 20

// Handler serves Temporal's remote codec protocol (POST /codec/encode and
// /codec/decode, JSON Payloads in and out) for the Temporal Web UI.
//
// Every request must carry Authorization: Bearer <token>; an empty token
// disables the endpoint. Browsers get CORS headers only for the listed origins
// (exact scheme://host[:port], as the Web UI is opened; "*" is not honoured).
// Mount it at the server root, e.g. mux.Handle("/codec/", h), and set the Web
// UI's codec endpoint to https://<host>/codec.
func Handler(c converter.PayloadCodec, token string, allowOrigins []string) http.Handler {
	origins := make(map[string]bool, len(allowOrigins))
	for _, o := range allowOrigins {
		if o = normalizeOrigin(o); o != "" {
			origins[o] = true
		}
	}
	return &handler{
		codec:   converter.NewPayloadCodecHTTPHandler(c),
		token:   sha256.Sum256([]byte(token)),
		enabled: token != "",
		origins: origins,
	}
}

type handler struct {
	codec   http.Handler
	token   [sha256.Size]byte
	enabled bool
	origins map[string]bool
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// CORS headers go on every answer, errors included, so the Web UI can
	// show why a request was refused.
	h.cors(w, r)
	if !h.enabled {
		writeError(w, http.StatusForbidden, "the codec endpoint is disabled: set a codec access token (HOOKFLOW_CODEC_TOKEN) to enable it, then send it as Authorization: Bearer <token>")
		return
	}
	if r.Method == http.MethodOptions {
		// Preflights never carry credentials; the real request is checked.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	switch h.authorize(r) {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="hookflow codec"`)
		writeError(w, http.StatusUnauthorized, "send the codec access token as Authorization: Bearer <token>")
		return
	case http.StatusForbidden:
		writeError(w, http.StatusForbidden, "the codec access token is wrong")
		return
	}
	if r.URL.Path != EncodePath && r.URL.Path != DecodePath {
		writeError(w, http.StatusNotFound, "use POST "+EncodePath+" or POST "+DecodePath)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		writeError(w, http.StatusMethodNotAllowed, "use POST "+r.URL.Path)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "request body is larger than 16 MiB; decode fewer payloads per request")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	// Decoded payloads are customer data: keep them out of caches.
	w.Header().Set("Cache-Control", "no-store")
	h.codec.ServeHTTP(w, r)
}

// authorize returns 0 when the bearer token matches, 401 when none was sent
// and 403 when it is wrong. Hashing first keeps the comparison constant-time
// in both content and length.
func (h *handler) authorize(r *http.Request) int {
	scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(got) == "" {
		return http.StatusUnauthorized
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
	if subtle.ConstantTimeCompare(sum[:], h.token[:]) != 1 {
		return http.StatusForbidden
	}
	return 0
}

func (h *handler) cors(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" || !h.origins[normalizeOrigin(origin)] {
		return
	}
	hd := w.Header()
	hd.Set("Access-Control-Allow-Origin", origin)
	// The Web UI may send cookies ("include cross-origin credentials");
	// safe because only listed origins are echoed, never "*".
	hd.Set("Access-Control-Allow-Credentials", "true")
	if r.Method == http.MethodOptions {
		hd.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		hd.Set("Access-Control-Max-Age", "600")
	}
}

// normalizeOrigin lets "https://Temporal.example.com/" in configuration match
// the browser's "https://temporal.example.com".
func normalizeOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // the message says "Bearer <token>"
	_ = enc.Encode(map[string]string{"error": msg})
}
