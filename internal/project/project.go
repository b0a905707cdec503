package project

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"go.temporal.io/sdk/converter"
	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/activities"
	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/catalog"
	"github.com/hookflow/hookflow/internal/codec"
	"github.com/hookflow/hookflow/internal/inspector"
	"github.com/hookflow/hookflow/rules"
	"github.com/hookflow/hookflow/triggers"
)

// FileName is the project file in a project directory.
const FileName = "hookflow.yaml"

// minTokenLen is the shortest admin or codec token accepted.
const minTokenLen = 16

// maxFileSize caps hookflow.yaml; a project file is small.
const maxFileSize = 1 << 20

// Project is a loaded, compiled project.
type Project struct {
	Dir           string
	RulesDir      string
	AllowNetworks []netip.Prefix
	Triggers      *triggers.Set
	Integrations  *integrations.Set
	Rules         *rules.Engine
	// AdminToken guards the admin API (signals); empty disables it.
	AdminToken string
	// SearchAttributes are the project's own, computed from each event.
	SearchAttributes []activities.SearchAttribute
	// HealthNotify is the call step that announces integration health
	// changes (`health: {notify: ops.post_message, with: {...}}`), or nil.
	HealthNotify *rules.Step
	// Codec encrypts payloads in history when `encryption` is set, else nil.
	Codec converter.PayloadCodec
	// CodecToken guards the codec endpoint; CodecOrigins may call it (the Web UI).
	CodecToken   string
	CodecOrigins []string
	// Inspector holds the canned answers of `hookflow dev`'s request inspector.
	Inspector map[string]inspector.Response
	// DefaultSecrets are the credential settings that took the default of
	// their ${NAME:-default}; serve and worker refuse to start with any.
	DefaultSecrets []DefaultSecret
	// Warnings are problems that do not stop the project from loading;
	// check and the servers print them.
	Warnings []string
	// fingerprint is of the files as they were before loading: an edit made
	// while loading is seen by Watch as a change.
	fingerprint string
}

var topFields = []string{"rules", "outbound", "triggers", "integrations", "vars", "admin", "inspector", "search_attributes", "health", "encryption"}

// Load reads dir/hookflow.yaml and everything it names. The error lists every
// problem found, one per line, as "file:line:col: message".
func Load(dir string, getenv func(string) (string, bool)) (*Project, error) {
	file := filepath.Join(dir, FileName)
	fp := fingerprint(dir)
	root, err := parseFile(file)
	if err != nil {
		return nil, err
	}
	var errs []error
	envErrs, defaults := expandEnv(file, root, getenv)
	errs = append(errs, envErrs...)
	doc := root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: hookflow.yaml must be a mapping with triggers, integrations and rules", file, doc.Line, doc.Column)
	}
	sections := map[string]*yaml.Node{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k := doc.Content[i]
		if !contains(topFields, k.Value) {
			errs = append(errs, fmt.Errorf("%s:%d:%d: unknown field %q (known: %s)", file, k.Line, k.Column, k.Value, strings.Join(topFields, ", ")))
			continue
		}
		sections[k.Value] = doc.Content[i+1]
	}

	p := &Project{Dir: dir, RulesDir: filepath.Join(dir, "rules"), fingerprint: fp, DefaultSecrets: defaults}
	if n := sections["rules"]; n != nil {
		p.RulesDir = filepath.Join(dir, n.Value)
	}
	allow, aErrs, warns := loadOutbound(file, sections["outbound"])
	p.Warnings = append(p.Warnings, warns...)
	errs = append(errs, aErrs...)
	p.AllowNetworks = allow

	if n := sections["admin"]; n != nil {
		var admin struct {
			Token string `yaml:"token"`
		}
		if err := n.Decode(&admin); err != nil || len(n.Content) != 2 || n.Content[0].Value != "token" {
			errs = append(errs, fmt.Errorf("%s:%d:%d: admin: want `admin: {token: ${HOOKFLOW_ADMIN_TOKEN}}`", file, n.Line, n.Column))
		} else if len(admin.Token) < minTokenLen {
			errs = append(errs, fmt.Errorf("%s:%d:%d: admin.token is too short: use at least %d random characters", file, n.Content[1].Line, n.Content[1].Column, minTokenLen))
		}
		p.AdminToken = admin.Token
	}
	if n := sections["inspector"]; n != nil {
		var ins struct {
			Responses map[string]inspector.Response `yaml:"responses"`
		}
		if err := n.Decode(&ins); err != nil || (len(n.Content) > 0 && n.Content[0].Value != "responses") {
			errs = append(errs, fmt.Errorf("%s:%d:%d: inspector: want `inspector: {responses: {BIN[/path]: {status, headers, body}}}`", file, n.Line, n.Column))
		}
		p.Inspector = ins.Responses
	}
	attrs, aErrs2 := loadSearchAttributes(file, sections["search_attributes"])
	errs = append(errs, aErrs2...)
	p.SearchAttributes = attrs
	var vars map[string]any
	if n := sections["vars"]; n != nil {
		if err := n.Decode(&vars); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%d: vars: %v", file, n.Line, n.Column, err))
		}
	}
	if p.Triggers, err = triggers.Load(file, sections["triggers"]); err != nil {
		errs = append(errs, err)
	}
	if p.Integrations, err = catalog.Load(file, sections["integrations"], allow); err != nil {
		errs = append(errs, err)
	}
	if p.Triggers == nil || p.Integrations == nil {
		// Rules are checked against triggers and integrations: report what we have.
		return nil, errors.Join(errs...)
	}
	p.Rules, err = rules.Load(p.RulesDir, rules.Options{
		Triggers:    p.Triggers.Names(),
		Correlating: p.Triggers.Correlating(),
		Operation:   p.Integrations.Check,
		URLPaths:    p.Integrations.URLPaths,
		Fields:      p.Integrations.Fields,
		Vars:        vars,
	})
	if err != nil {
		errs = append(errs, err)
	} else {
		for _, w := range p.Rules.Warnings() {
			p.Warnings = append(p.Warnings, "warning: "+w.Error())
		}
	}
	if n := sections["encryption"]; n != nil {
		var enc struct {
			Keys         string   `yaml:"keys"`
			Token        string   `yaml:"token"`
			AllowOrigins []string `yaml:"allow_origins"`
		}
		if err := n.Decode(&enc); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%d: encryption: want {keys, token, allow_origins}", file, n.Line, n.Column))
		} else if keys, err := codec.ParseKeys(enc.Keys); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%d: encryption.keys: %v", file, n.Line, n.Column, err))
		} else if p.Codec, err = codec.New(keys); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d:%d: encryption.keys: %v", file, n.Line, n.Column, err))
		}
		if enc.Token != "" && len(enc.Token) < minTokenLen {
			// The token guards decrypted customer data; a short one is guessed.
			errs = append(errs, fmt.Errorf("%s:%d:%d: encryption.token is too short: use at least %d random characters", file, n.Line, n.Column, minTokenLen))
		}
		p.CodecToken, p.CodecOrigins = enc.Token, enc.AllowOrigins
	}
	if n := sections["health"]; n != nil {
		var h struct {
			Notify string `yaml:"notify"`
			With   any    `yaml:"with"`
		}
		if err := n.Decode(&h); err != nil || h.Notify == "" {
			errs = append(errs, fmt.Errorf("%s:%d:%d: health: want `health: {notify: integration.operation, with: {...}}`", file, n.Line, n.Column))
		} else {
			step := rules.Step{ID: "health", Call: h.Notify, With: h.With}
			if _, err := p.Integrations.Check(step.Integration(), step.Operation()); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d:%d: health.notify: %v", file, n.Line, n.Column, err))
			}
			// Its message comes from a failing vendor: the path keeps it one segment.
			if step.With, err = rules.PathSafeWith(step.With, p.Integrations.URLPaths(step.Integration(), step.Operation())); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d:%d: health.%v", file, n.Line, n.Column, err))
			}
			p.HealthNotify = &step
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func parseFile(file string) (*yaml.Node, error) {
	f, err := os.Open(file)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no project here (looked for %s; pass --project DIR)", file, FileName)
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes; a project file should be small — move rules into the rules folder", file, maxFileSize)
	}
	var root yaml.Node
	// yaml.v3 bounds alias expansion, so a billion-laughs document is an error, not an OOM.
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s:1:1: file is empty", file)
		}
		return nil, fmt.Errorf("%s:%s", file, yamlPosition(err))
	}
	return &root, nil
}

// yamlPosition turns "yaml: line 3: did not find …" into "3:1: did not find …".
func yamlPosition(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &line); scanErr == nil {
		rest := msg[strings.Index(msg, ":")+1:]
		return fmt.Sprintf("%d:1:%s", line, rest)
	}
	return "1:1: " + msg
}

// ipv4Mapped is ::ffff:0:0/96, where IPv6 spells IPv4 addresses.
var ipv4Mapped = netip.MustParsePrefix("::ffff:0:0/96")

func loadOutbound(file string, n *yaml.Node) ([]netip.Prefix, []error, []string) {
	if n == nil {
		return nil, nil, nil
	}
	var errs []error
	var warns []string
	var allow []netip.Prefix
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "allow_networks" {
			errs = append(errs, fmt.Errorf("%s:%d:%d: outbound: unknown field %q (known: allow_networks)", file, k.Line, k.Column, k.Value))
			continue
		}
		for _, c := range v.Content {
			p, err := netip.ParsePrefix(c.Value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s:%d:%d: outbound.allow_networks: %q is not a CIDR like 127.0.0.0/8", file, c.Line, c.Column, c.Value))
				continue
			}
			if ipv4Mapped.Overlaps(p) {
				// The guard unmaps ::ffff:a.b.c.d to a.b.c.d, so this reads as IPv4.
				warns = append(warns, fmt.Sprintf("warning: %s:%d:%d: outbound.allow_networks: %s covers IPv4-mapped addresses, which allows every IPv4 address it maps (with /96: all of IPv4, private networks included); list the IPv4 networks themselves", file, c.Line, c.Column, c.Value))
			}
			allow = append(allow, p.Masked())
		}
	}
	return allow, errs, warns
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
