package main

import (
	"errors"
	"fmt"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
)

// defaultTemporal is where the operator commands look for Temporal when
// nothing says otherwise: `hookflow dev`'s embedded server.
const defaultTemporal = "127.0.0.1:7233"

// temporalFlags are the connection flags of every command that talks to
// Temporal. The connection itself comes from the Temporal SDK's environment
// configuration, the conventions of Temporal's own CLI: a TOML profile
// (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE) overlaid by TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* and friends. A flag
// given on the command line wins over both.
type temporalFlags struct {
	fs            *flags
	defaultAddr   string // "" makes an address required
	address       string
	namespace     string
	profile       string
	tls           bool
	tlsCA         string
	tlsCert       string
	tlsKey        string
	tlsServerName string
}

// addTemporalFlags registers the connection flags on fs. defaultAddr is the
// address used when neither a flag, the environment nor a profile gives one;
// "" makes one required (serve, worker: production never guesses).
func addTemporalFlags(fs *flags, defaultAddr string) *temporalFlags {
	t := &temporalFlags{fs: fs, defaultAddr: defaultAddr}
	addrHelp := "Temporal frontend address, e.g. temporal.internal:7233 (default: TEMPORAL_ADDRESS, the profile's address"
	if defaultAddr != "" {
		addrHelp += ", else " + defaultAddr
	}
	fs.StringVar(&t.address, "temporal", "", addrHelp+")")
	fs.StringVar(&t.namespace, "namespace", "", "Temporal namespace (default: TEMPORAL_NAMESPACE, the profile's namespace, else default)")
	fs.StringVar(&t.profile, "profile", "", "profile of the Temporal client config file, TEMPORAL_CONFIG_FILE (default: TEMPORAL_PROFILE, else default)")
	fs.BoolVar(&t.tls, "tls", false, "connect with TLS (on by default with an API key or any --tls-* setting)")
	fs.StringVar(&t.tlsCA, "tls-ca-path", "", "PEM file of the CA that signed the server's certificate (default: the system's roots)")
	fs.StringVar(&t.tlsCert, "tls-cert-path", "", "PEM client certificate, for mTLS (with --tls-key-path)")
	fs.StringVar(&t.tlsKey, "tls-key-path", "", "PEM client key, for mTLS (with --tls-cert-path)")
	fs.StringVar(&t.tlsServerName, "tls-server-name", "", "server name to verify the server's certificate against, when it differs from the address's host")
	return t
}

// envLookup hands the command's environment to envconfig, so tests (and
// `run`) decide what the loader sees.
type envLookup struct{ e env }

func (l envLookup) LookupEnv(k string) (string, bool) { return l.e.getenv(k) }

func (l envLookup) Environ() []string {
	if l.e.environ == nil {
		return nil
	}
	return l.e.environ()
}

// options resolves the connection: profile, then environment, then flags.
// The API key is never a flag: command lines show up in `ps`.
func (t *temporalFlags) options(e env) (client.Options, error) {
	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
		ConfigFileProfile: t.profile,
		EnvLookup:         envLookup{e},
	})
	if err != nil {
		return client.Options{}, fmt.Errorf("temporal client configuration: %w", err)
	}
	set := map[string]bool{}
	for _, name := range []string{"temporal", "namespace", "tls", "tls-ca-path", "tls-cert-path", "tls-key-path", "tls-server-name"} {
		set[name] = t.fs.Changed(name)
	}
	if set["temporal"] {
		prof.Address = t.address
	}
	if set["namespace"] {
		prof.Namespace = t.namespace
	}
	tlsFlag := func(name string, dst *string, v string) {
		if set[name] {
			if prof.TLS == nil {
				prof.TLS = &envconfig.ClientConfigTLS{}
			}
			*dst = v
		}
	}
	if set["tls"] {
		if prof.TLS == nil {
			prof.TLS = &envconfig.ClientConfigTLS{}
		}
		prof.TLS.Disabled = !t.tls
	}
	if prof.TLS == nil && (set["tls-ca-path"] || set["tls-cert-path"] || set["tls-key-path"] || set["tls-server-name"]) {
		prof.TLS = &envconfig.ClientConfigTLS{}
	}
	if prof.TLS != nil {
		tlsFlag("tls-ca-path", &prof.TLS.ServerCACertPath, t.tlsCA)
		tlsFlag("tls-cert-path", &prof.TLS.ClientCertPath, t.tlsCert)
		tlsFlag("tls-key-path", &prof.TLS.ClientKeyPath, t.tlsKey)
		tlsFlag("tls-server-name", &prof.TLS.ServerName, t.tlsServerName)
		// A path flag replaces inline PEM data from the environment, which
		// envconfig refuses to combine with a path.
		if set["tls-ca-path"] {
			prof.TLS.ServerCACertData = nil
		}
		if set["tls-cert-path"] || set["tls-key-path"] {
			prof.TLS.ClientCertData, prof.TLS.ClientKeyData = nil, nil
		}
	}
	if prof.Address == "" {
		if t.defaultAddr == "" {
			return client.Options{}, errNoAddress
		}
		prof.Address = t.defaultAddr
	}
	if prof.Namespace == "" {
		prof.Namespace = "default"
	}
	// The codec is hookflow's own (the project's encryption keys, or
	// HOOKFLOW_CODEC_KEYS), applied locally; a remote codec endpoint from the
	// profile is not used.
	prof.Codec = nil
	opts, err := prof.ToClientOptions(envconfig.ToClientOptionsRequest{})
	if err != nil {
		return client.Options{}, fmt.Errorf("temporal client configuration for %s: %w", prof.Address, err)
	}
	return opts, nil
}

var errNoAddress = errors.New("no Temporal address: pass --temporal HOST:PORT, or set TEMPORAL_ADDRESS (or an address in a TEMPORAL_CONFIG_FILE profile)")
