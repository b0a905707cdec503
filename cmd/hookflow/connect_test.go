package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// connOptions parses args as a command's connection flags and resolves them
// in the environment vars.
func connOptions(t *testing.T, defaultAddr string, vars map[string]string, args ...string) (addr, ns string, tls bool, err error) {
	t.Helper()
	fs := newFlags(env{}, "t", "")
	tf := addTemporalFlags(fs, defaultAddr)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	// No config file unless the case names one: the machine's own must not leak in.
	if _, ok := vars["TEMPORAL_CONFIG_FILE"]; !ok {
		vars["TEMPORAL_CONFIG_FILE"] = filepath.Join(t.TempDir(), "none.toml")
	}
	opts, err := tf.options(env{getenv: mapEnv(vars)})
	if err != nil {
		return "", "", false, err
	}
	return opts.HostPort, opts.Namespace, opts.ConnectionOptions.TLS != nil, nil
}

func TestTemporalConnectionPrecedence(t *testing.T) {
	dir := t.TempDir()
	profile := filepath.Join(dir, "temporal.toml")
	if err := os.WriteFile(profile, []byte(`
[profile.default]
address = "from-profile:7233"
namespace = "profile-ns"

[profile.cloud]
address = "acme.a1b2c.tmprl.cloud:7233"
namespace = "acme.a1b2c"
api_key = "profile-key"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name        string
		def         string
		vars        map[string]string
		args        []string
		addr, ns    string
		tls         bool
		errContains string
	}{
		{name: "operator default", def: defaultTemporal, vars: map[string]string{}, addr: defaultTemporal, ns: "default"},
		{name: "serve requires an address", vars: map[string]string{}, errContains: "TEMPORAL_ADDRESS"},
		{name: "environment", vars: map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_NAMESPACE": "env-ns"}, addr: "env:7233", ns: "env-ns"},
		{name: "flags win over the environment", vars: map[string]string{"TEMPORAL_ADDRESS": "env:7233", "TEMPORAL_NAMESPACE": "env-ns"},
			args: []string{"--temporal", "flag:7233", "--namespace", "flag-ns"}, addr: "flag:7233", ns: "flag-ns"},
		{name: "default profile from the file", vars: map[string]string{"TEMPORAL_CONFIG_FILE": profile}, addr: "from-profile:7233", ns: "profile-ns"},
		{name: "environment wins over the profile", vars: map[string]string{"TEMPORAL_CONFIG_FILE": profile, "TEMPORAL_NAMESPACE": "env-ns"}, addr: "from-profile:7233", ns: "env-ns"},
		{name: "named profile by flag; an API key turns TLS on", vars: map[string]string{"TEMPORAL_CONFIG_FILE": profile}, args: []string{"--profile", "cloud"},
			addr: "acme.a1b2c.tmprl.cloud:7233", ns: "acme.a1b2c", tls: true},
		{name: "named profile by TEMPORAL_PROFILE", vars: map[string]string{"TEMPORAL_CONFIG_FILE": profile, "TEMPORAL_PROFILE": "cloud"},
			addr: "acme.a1b2c.tmprl.cloud:7233", ns: "acme.a1b2c", tls: true},
		{name: "an unknown profile is an error", vars: map[string]string{"TEMPORAL_CONFIG_FILE": profile}, args: []string{"--profile", "nope"}, errContains: "nope"},
		{name: "--tls=false wins over an API key", vars: map[string]string{"TEMPORAL_ADDRESS": "a:1", "TEMPORAL_API_KEY": "k"}, args: []string{"--tls=false"}, addr: "a:1", ns: "default"},
		{name: "TEMPORAL_TLS", vars: map[string]string{"TEMPORAL_ADDRESS": "a:1", "TEMPORAL_TLS": "true"}, addr: "a:1", ns: "default", tls: true},
		{name: "a missing CA file is an error naming it", vars: map[string]string{"TEMPORAL_ADDRESS": "a:1"}, args: []string{"--tls-ca-path", filepath.Join(dir, "missing.pem")}, errContains: "missing.pem"},
		{name: "a client cert needs its key", vars: map[string]string{"TEMPORAL_ADDRESS": "a:1"}, args: []string{"--tls-cert-path", profile}, errContains: "key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			addr, ns, tls, err := connOptions(t, c.def, c.vars, c.args...)
			if c.errContains != "" {
				if err == nil || !strings.Contains(err.Error(), c.errContains) {
					t.Fatalf("err = %v, want one containing %q", err, c.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if addr != c.addr || ns != c.ns || tls != c.tls {
				t.Fatalf("got %s %s tls=%v, want %s %s tls=%v", addr, ns, tls, c.addr, c.ns, c.tls)
			}
		})
	}
}

// TestServeNeedsTemporal: serve and worker never guess where Temporal is.
func TestServeNeedsTemporal(t *testing.T) {
	for _, cmd := range []string{"serve", "worker"} {
		err := run(t.Context(), []string{cmd, "--project", "../../samples/shop"}, mapEnv(map[string]string{"TEMPORAL_CONFIG_FILE": filepath.Join(t.TempDir(), "none.toml")}), io.Discard, io.Discard)
		if !errors.Is(err, errNoAddress) {
			t.Fatalf("%s without an address: %v", cmd, err)
		}
	}
}
