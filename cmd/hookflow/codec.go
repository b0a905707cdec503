package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/hookflow/hookflow/internal/codec"
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

// dialOperator is the client of the operator commands (runs, replay,
// signal, cancel, setup): quiet, and encrypting with HOOKFLOW_CODEC_KEYS
// when the environment has them.
func dialOperator(e env, addr, namespace string) (client.Client, error) {
	enc, err := codecFromEnv(e)
	if err != nil {
		return nil, err
	}
	return dialTemporal(addr, namespace, slog.New(slog.DiscardHandler), nil, enc)
}

// trustLoopback lets requests from this machine through without the token:
// `hookflow dev`'s embedded Web UI has no login to send one, and dev listens
// on loopback. serve never uses it.
func trustLoopback(h http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && r.Header.Get("Authorization") == "" {
				r = r.Clone(r.Context())
				r.Header.Set("Authorization", "Bearer "+token)
			}
		}
		h.ServeHTTP(w, r)
	})
}
