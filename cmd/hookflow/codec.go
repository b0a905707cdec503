package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/loopback"
)

// codecKeysEnv holds the key ring for the operator commands (replay,
// signal) against a project that encrypts its payloads.
const codecKeysEnv = "HOOKFLOW_CODEC_KEYS"

// codecFromEnv is the codec the operator commands use, nil when the
// environment has no keys.
func codecFromEnv(e env) (converter.PayloadCodec, error) {
	s, ok := e.getenv(codecKeysEnv)
	if !ok || s == "" {
		return nil, nil
	}
	keys, err := codec.ParseKeys(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", codecKeysEnv, err)
	}
	return codec.New(keys)
}

// operator is the client of the operator commands (runs, replay, signal,
// cancel, setup): quiet, and encrypting with HOOKFLOW_CODEC_KEYS when the
// environment has them.
type operator struct {
	client.Client
	// Namespace is the namespace the connection resolved to.
	Namespace string
	// Address is the frontend's host:port, for messages.
	Address string
	// DataConverter reads payloads from history as the client writes them:
	// through the codec when keys are configured.
	DataConverter converter.DataConverter
}

// dialOperator connects an operator command as its flags, the environment
// and the Temporal profile say.
func dialOperator(e env, tf *temporalFlags) (*operator, error) {
	opts, err := tf.options(e)
	if err != nil {
		return nil, err
	}
	enc, err := codecFromEnv(e)
	if err != nil {
		return nil, err
	}
	c, err := dialTemporal(opts, slog.New(slog.DiscardHandler), nil, enc)
	if err != nil {
		return nil, err
	}
	dc := converter.GetDefaultDataConverter()
	if enc != nil {
		dc = codec.DataConverter(enc)
	}
	return &operator{Client: c, Namespace: opts.Namespace, Address: opts.HostPort, DataConverter: dc}, nil
}

// devCodec guards dev's codec endpoint. Requests must name this machine in
// their Host header: a page on another site whose name resolves to
// 127.0.0.1 (DNS rebinding) cannot reach it from a browser. When the
// project sets no codec token, dev made up one (inject) and hands it to
// callers from this machine, since the embedded Web UI has no login to send
// one; when the project sets one, every caller must send it. serve never
// uses this.
func devCodec(h http.Handler, token string, inject bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopback.Host(r.Host) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"error":"hookflow dev's codec answers only requests addressed to localhost or a loopback address"}` + "\n"))
			return
		}
		if inject && r.Header.Get("Authorization") == "" {
			if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
				if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
					r = r.Clone(r.Context())
					r.Header.Set("Authorization", "Bearer "+token)
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}
