// Package catalog is the one table of integration kinds, and Load, which
// builds a project's integrations from the `integrations:` section of
// hookflow.yaml. A new kind is one line in kinds; there is no init()
// registration.
package catalog

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
	"github.com/hookflow/hookflow/integrations/discord"
	"github.com/hookflow/hookflow/integrations/googlesheets"
	"github.com/hookflow/hookflow/integrations/httpapi"
	"github.com/hookflow/hookflow/integrations/hubspot"
	"github.com/hookflow/hookflow/integrations/mailchimp"
	"github.com/hookflow/hookflow/integrations/pipedrive"
	"github.com/hookflow/hookflow/integrations/salesforce"
	"github.com/hookflow/hookflow/integrations/sendgrid"
	"github.com/hookflow/hookflow/integrations/shopify"
	"github.com/hookflow/hookflow/integrations/slack"
	"github.com/hookflow/hookflow/integrations/smtp"
	"github.com/hookflow/hookflow/integrations/stripe"
	"github.com/hookflow/hookflow/integrations/teams"
	"github.com/hookflow/hookflow/integrations/telegram"
	"github.com/hookflow/hookflow/integrations/twilio"
	"github.com/hookflow/hookflow/integrations/webhook"
	"github.com/hookflow/hookflow/integrations/whatsapp"
	"github.com/hookflow/hookflow/integrations/woocommerce"
)

// kinds is every integration kind, registered here and nowhere else.
var kinds = map[string]integrations.Constructor{
	"webhook":       webhook.New,
	"hubspot":       hubspot.New,
	"slack":         slack.New,
	"shopify":       shopify.New,
	"teams":         teams.New,
	"discord":       discord.New,
	"twilio":        twilio.New,
	"sendgrid":      sendgrid.New,
	"smtp":          smtp.New,
	"salesforce":    salesforce.New,
	"pipedrive":     pipedrive.New,
	"woocommerce":   woocommerce.New,
	"http":          httpapi.New,
	"stripe":        stripe.New,
	"telegram":      telegram.New,
	"whatsapp":      whatsapp.New,
	"mailchimp":     mailchimp.New,
	"google_sheets": googlesheets.New,
}

// Kinds lists the registered kind names, sorted.
func Kinds() []string { return slices.Sorted(maps.Keys(kinds)) }

// Integration names are called as name.operation in rules.
var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// Load builds the Set from the `integrations:` mapping node of hookflow.yaml
// (environment variables already expanded). file names the file in error
// positions; allow lists the networks exempt from the SSRF guard
// (outbound.allow_networks). Every problem is reported, each as
// "file:line:col: message", joined with errors.Join.
func Load(file string, node *yaml.Node, allow []netip.Prefix) (*integrations.Set, error) {
	var errs []error
	report := func(at *yaml.Node, prefix string, err error) {
		for _, e := range flatten(err) {
			line, col := at.Line, at.Column
			msg := prefix + ": " + e.Error()
			if ce, ok := errors.AsType[*integrations.ConfigError](e); ok {
				msg = ce.In(prefix)
				if ce.Line > 0 {
					line, col = ce.Line, ce.Column
				}
			}
			errs = append(errs, fmt.Errorf("%s:%d:%d: %s", file, line, col, msg))
		}
	}
	node = resolve(node)
	if node == nil || (node.Kind == yaml.ScalarNode && node.Tag == "!!null") {
		return integrations.NewSet(allow), nil
	}
	if node.Kind != yaml.MappingNode {
		report(node, "integrations", errors.New("must be a mapping of integration name to settings"))
		return nil, errors.Join(errs...)
	}
	known := strings.Join(Kinds(), ", ")
	var list []*integrations.Integration
	seen := map[string]bool{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], resolve(node.Content[i+1])
		name, prefix := k.Value, "integrations."+k.Value
		switch {
		case !nameRE.MatchString(name):
			report(k, "integrations", fmt.Errorf("name %q: use lower-case letters, digits, - and _, starting with a letter (rules call it as %s.<operation>)", name, name))
			continue
		case seen[name]:
			report(k, "integrations", fmt.Errorf("%q is defined twice", name))
			continue
		}
		seen[name] = true
		common, err := integrations.DecodeCommon(v)
		if err != nil {
			report(v, prefix, err)
		}
		if v == nil || v.Kind != yaml.MappingNode {
			continue
		}
		kindNode := integrations.Child(v, "kind")
		newKind, ok := kinds[common.Kind]
		switch {
		case ok:
		case common.Kind == "" && kindNode == v:
			report(v, prefix, integrations.Errorf(v, "kind", "is required (known: %s)", known))
		case common.Kind == "":
			if err == nil { // else DecodeCommon said what kind must be
				report(v, prefix, integrations.Errorf(kindNode, "kind", "must be one of: %s", known))
			}
		default:
			report(v, prefix, integrations.Errorf(kindNode, "", "unknown kind %q (known: %s)", common.Kind, known))
		}
		if !ok {
			continue
		}
		in, kErr := newKind(v)
		if kErr != nil {
			report(v, prefix, kErr)
		}
		if err != nil || kErr != nil {
			continue
		}
		in.Name, in.Kind, in.Timeout, in.Retry = name, common.Kind, common.Timeout, common.Retry
		if common.RateLimit != "" {
			rate, err := integrations.ParseRate(common.RateLimit)
			if err != nil {
				report(integrations.Child(v, "rate_limit"), prefix, fmt.Errorf("rate_limit: %w", err))
				continue
			}
			in.Limits.PerSecond = rate
		}
		if common.Concurrency < 0 {
			report(integrations.Child(v, "concurrency"), prefix, errors.New("concurrency must be at least 1"))
			continue
		}
		in.Limits.Concurrency = common.Concurrency
		if common.RecordLimit < 0 || common.RecordLimit > 1<<20 {
			report(integrations.Child(v, "record_body_limit"), prefix, errors.New("record_body_limit must be between 0 (the default, 64 KiB) and 1048576 bytes"))
			continue
		}
		in.RecordLimit = common.RecordLimit
		if hc := common.HealthCheck; hc != nil {
			if err := hc.Validate(); err != nil {
				report(integrations.Child(v, "health_check"), prefix, err)
				continue
			}
			in.HealthCheck = hc
		}
		list = append(list, in)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return integrations.NewSet(allow, list...), nil
}

// flatten splits a joined error into its parts.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}
