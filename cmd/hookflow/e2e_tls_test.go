package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/internal/devserver"
	"github.com/hookflow/hookflow/workflows"
)

// testPKI is a CA, a server certificate for tlsServerName only (not the IP
// the server listens on, so a client must override the name), and a client
// certificate, as PEM files.
type testPKI struct {
	ca, serverCert, serverKey, clientCert, clientKey string
}

const tlsServerName = "temporal.hookflow.test"

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hookflow test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	issue := func(serial int64, cn string, usage x509.ExtKeyUsage, dns []string) (certFile, keyFile string) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, DNSNames: dns,
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		certFile, keyFile = filepath.Join(dir, cn+".pem"), filepath.Join(dir, cn+"-key.pem")
		writePEM(t, certFile, "CERTIFICATE", der)
		writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
		return certFile, keyFile
	}
	p := testPKI{ca: filepath.Join(dir, "ca.pem")}
	writePEM(t, p.ca, "CERTIFICATE", caDER)
	p.serverCert, p.serverKey = issue(2, "server", x509.ExtKeyUsageServerAuth, []string{tlsServerName})
	p.clientCert, p.clientKey = issue(3, "client", x509.ExtKeyUsageClientAuth, nil)
	return p
}

func writePEM(t *testing.T, file, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func startTLSServer(t *testing.T, pki testPKI, mutual bool, retention time.Duration) *devserver.Server {
	t.Helper()
	opts := devserver.Options{
		// A file database: the run list's indexes are fitted through a
		// client that needs the TLS settings too.
		DBFile: filepath.Join(t.TempDir(), "dev.db"),
		UIPort: -1, SearchAttributes: workflows.SearchAttributeTypes(), Retention: retention,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		TLS:    &devserver.TLS{CertFile: pki.serverCert, KeyFile: pki.serverKey, CAFile: pki.ca, ServerName: tlsServerName, RequireClientCert: mutual},
	}
	if mutual {
		opts.TLS.ClientCertFile, opts.TLS.ClientKeyFile = pki.clientCert, pki.clientKey
	}
	srv, err := devserver.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("embedded temporal with TLS: %v", err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

const tlsProject = `
rules: ./rules
outbound: { allow_networks: [127.0.0.0/8] }
triggers:
  forms:
    verify: { scheme: bearer, secret: form-token }
integrations:
  crm: { kind: webhook, url: "${CRM_URL}" }
`

// TestTLSConnections: serve, worker, setup and the operator commands
// connect to a Temporal that requires TLS, and one that requires mTLS, with
// the settings from flags or from Temporal's environment variables; without
// the client certificate, an mTLS server refuses them.
func TestTLSConnections(t *testing.T) {
	pki := newTestPKI(t)

	t.Run("tls", func(t *testing.T) {
		srv := startTLSServer(t, pki, false, 24*time.Hour)
		dir := t.TempDir()
		if err := writeProject(dir, tlsProject, map[string]string{"signup.yaml": signupRule}); err != nil {
			t.Fatal(err)
		}
		flags := []string{"--temporal", srv.Addr(), "--tls-ca-path", pki.ca, "--tls-server-name", tlsServerName}
		var out, errOut syncBuffer
		if err := run(t.Context(), append([]string{"setup", "--project", dir}, flags...), mapEnv(map[string]string{"CRM_URL": "http://127.0.0.1:1"}), &out, &errOut); err != nil {
			t.Fatalf("setup over TLS: %v\n%s%s", err, out.String(), errOut.String())
		}
		// The namespace keeps runs for a day: setup says that is too short for redeliveries.
		if w := errOut.String(); !strings.Contains(w, "warning: namespace default keeps closed runs for 1d") || !strings.Contains(w, "--retention 72h") {
			t.Fatalf("setup did not warn about the 1-day retention:\n%s", w)
		}
		// Without the server name override the certificate does not match the address.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		err := run(ctx, []string{"runs", "--temporal", srv.Addr(), "--tls-ca-path", pki.ca}, mapEnv(map[string]string{}), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("runs without --tls-server-name: %v, want a certificate error", err)
		}
		// Plaintext against a TLS server fails too.
		ctx, cancel = context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := run(ctx, []string{"runs", "--temporal", srv.Addr()}, mapEnv(map[string]string{}), io.Discard, io.Discard); err == nil {
			t.Fatal("a plaintext client listed runs on a TLS server")
		}
		deliverOverTLS(t, dir, map[string]string{
			"TEMPORAL_ADDRESS":                 srv.Addr(),
			"TEMPORAL_TLS_SERVER_CA_CERT_PATH": pki.ca,
			"TEMPORAL_TLS_SERVER_NAME":         tlsServerName,
		}, flags)
	})

	t.Run("mtls", func(t *testing.T) {
		srv := startTLSServer(t, pki, true, 0)
		dir := t.TempDir()
		if err := writeProject(dir, tlsProject, map[string]string{"signup.yaml": signupRule}); err != nil {
			t.Fatal(err)
		}
		flags := []string{"--temporal", srv.Addr(), "--tls-ca-path", pki.ca, "--tls-server-name", tlsServerName, "--tls-cert-path", pki.clientCert, "--tls-key-path", pki.clientKey}
		var out, errOut syncBuffer
		if err := run(t.Context(), append([]string{"setup", "--project", dir}, flags...), mapEnv(map[string]string{"CRM_URL": "http://127.0.0.1:1"}), &out, &errOut); err != nil {
			t.Fatalf("setup over mTLS: %v\n%s%s", err, out.String(), errOut.String())
		}
		if strings.Contains(errOut.String(), "warning") {
			t.Fatalf("setup warned about a 7-day retention:\n%s", errOut.String())
		}
		// Without a client certificate the server refuses the connection.
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := run(ctx, []string{"runs", "--temporal", srv.Addr(), "--tls-ca-path", pki.ca, "--tls-server-name", tlsServerName}, mapEnv(map[string]string{}), io.Discard, io.Discard); err == nil {
			t.Fatal("an mTLS server answered a client without a certificate")
		}
		deliverOverTLS(t, dir, map[string]string{
			"TEMPORAL_ADDRESS":                 srv.Addr(),
			"TEMPORAL_TLS_SERVER_CA_CERT_PATH": pki.ca,
			"TEMPORAL_TLS_SERVER_NAME":         tlsServerName,
			"TEMPORAL_TLS_CLIENT_CERT_PATH":    pki.clientCert,
			"TEMPORAL_TLS_CLIENT_KEY_PATH":     pki.clientKey,
		}, flags)
	})
}

// deliverOverTLS runs serve and worker configured by the environment vars
// only, posts an event and waits for its call, then finds the run with
// `runs` configured by flags.
func deliverOverTLS(t *testing.T, dir string, vars map[string]string, flags []string) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	rcv := newReceiver()
	defer rcv.Close()
	vars["CRM_URL"] = rcv.URL + "/crm"
	getenv := mapEnv(vars)
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	var serveLog, workerLog syncBuffer
	done := make(chan struct{}, 2)
	go func() {
		_ = run(ctx, []string{"worker", "--project", dir, "--metrics", "", "--log-format", "text"}, getenv, io.Discard, &workerLog)
		done <- struct{}{}
	}()
	go func() {
		_ = run(ctx, []string{"serve", "--project", dir, "--listen", addr, "--metrics", "", "--log-format", "text"}, getenv, io.Discard, &serveLog)
		done <- struct{}{}
	}()
	defer func() { cancel(); <-done; <-done }()
	base := "http://" + addr
	if err := waitReady(base+"/readyz", 60*time.Second); err != nil {
		t.Fatalf("%v\nserve:\n%s\nworker:\n%s", err, serveLog.String(), workerLog.String())
	}
	req, _ := http.NewRequest("POST", base+"/hooks/forms", strings.NewReader(`{"email":"tls@example.com"}`))
	req.Header.Set("Authorization", "Bearer form-token")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("post over a TLS-connected serve: %d\n%s", resp.StatusCode, serveLog.String())
	}
	waitFor(t, 30*time.Second, "the call through the TLS-connected worker", func() bool { return len(rcv.byPath("/crm")) == 1 })
	var out syncBuffer
	waitFor(t, 30*time.Second, "runs to list the run over TLS", func() bool {
		out = syncBuffer{}
		err := run(t.Context(), append([]string{"runs", "--ui-url", ""}, flags...), mapEnv(map[string]string{}), &out, io.Discard)
		return err == nil && strings.Contains(out.String(), "forms/")
	})
}
