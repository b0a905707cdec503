// Package stripe is the Stripe kind: customers found, created and updated,
// invoices drafted, itemised, finalized and sent, and refunds, through
// Stripe's v1 API with form-encoded bodies, a pinned Stripe-Version, and
// the step's idempotency key as Stripe's own Idempotency-Key.
//
// Checked on 2026-11-29 against https://docs.stripe.com/api (customers:
// create, update, list by email; invoices: create, finalize, send;
// invoice items: create; refunds: create), https://docs.stripe.com/api/versioning
// and https://docs.stripe.com/changelog (2026-11-18.endive; invoice
// items take pricing[price] since 2025-03-31.basil),
// https://docs.stripe.com/api/idempotent_requests and
// https://docs.stripe.com/error-low-level.
package stripe

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

const (
	// DefaultBaseURL is Stripe's API host.
	DefaultBaseURL = "https://api.stripe.com"
	// APIVersion is the Stripe-Version every request carries: the request
	// and answer shapes here were checked against it. Stripe releases
	// monthly (non-breaking) and twice a year a major (breaking) version;
	// move it after reading https://docs.stripe.com/changelog.
	APIVersion = "2026-11-18.endive"
	// keyWindow is how long Stripe keeps an Idempotency-Key: a retry after
	// it could repeat what the first attempt did.
	keyWindow = 24 * time.Hour
	// maxKey is the longest Idempotency-Key Stripe takes.
	maxKey = 255
)

// Config is the spec of `kind: stripe`:
//
//	payments:
//	  kind: stripe
//	  api_key: ${STRIPE_SECRET_KEY}        # sk_live_… or a restricted key rk_live_…
//	  account: acct_1Nv0FGQ9RKHgCVdK       # optional: Stripe-Account, for Connect platforms
//	  api_version: 2026-11-18.endive       # optional: the pinned default
//	  base_url: https://api.stripe.com     # optional: proxies, tests
type Config struct {
	APIKey     string `yaml:"api_key"`
	Account    string `yaml:"account"`
	APIVersion string `yaml:"api_version"`
	BaseURL    string `yaml:"base_url"`
}

var (
	keyRE     = regexp.MustCompile(`^(sk|rk)_(live|test)_[A-Za-z0-9]+$`)
	accountRE = regexp.MustCompile(`^acct_[A-Za-z0-9]+$`)
	versionRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$`)
)

var _ integrations.Constructor = New

// New builds a Stripe integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	p := integrations.NewProblems(node)
	base := p.Base(c.BaseURL, DefaultBaseURL, "", true)
	p.Credential("api_key", c.APIKey, "a secret key sk_live_… or a restricted key rk_live_…, e.g. ${STRIPE_SECRET_KEY}")
	if c.APIKey != "" && !keyRE.MatchString(c.APIKey) {
		// Never quote the value: it may be a live key with a typo.
		p.Field("api_key", "must be a secret key (sk_live_…, sk_test_…) or a restricted key (rk_live_…, rk_test_…); publishable keys (pk_…) cannot call these endpoints")
	}
	if c.Account != "" && !accountRE.MatchString(c.Account) {
		p.Field("account", "must be a connected account id such as acct_1Nv0FGQ9RKHgCVdK")
	}
	if c.APIVersion == "" {
		c.APIVersion = APIVersion
	} else if !versionRE.MatchString(c.APIVersion) {
		p.Field("api_version", "must be a Stripe API version such as %s", APIVersion)
	}
	// Stripe forgets a key after 24 hours; a retry after that is a new
	// request, which could create a second customer or refund.
	if common, err := integrations.DecodeCommon(node); err == nil && common.Retry.Expire > keyWindow {
		p.Add(integrations.Errorf(integrations.Child(node, "retry", "expire"), "retry.expire", "must be at most 24h for stripe: Stripe keeps an Idempotency-Key for 24 hours, so a later retry could repeat a refund or create a second object"))
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	header := http.Header{"Stripe-Version": {c.APIVersion}}
	if c.Account != "" {
		header.Set("Stripe-Account", c.Account)
	}
	api := &integrations.API{Base: base, Header: header, Errors: classify, IdempotencyKey: idempotencyKey}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"find_customer":           findCustomer,
			"create_customer":         createCustomer,
			"find_or_create_customer": findOrCreateCustomer,
			"update_customer":         updateCustomer,
			"create_invoice":          createInvoice,
			"add_invoice_item":        addInvoiceItem,
			"finalize_invoice":        finalizeInvoice,
			"send_invoice":            sendInvoice,
			"create_refund":           createRefund,
		}),
		Auth:    integrations.Bearer(integrations.StaticToken(c.APIKey)),
		Secrets: []string{c.APIKey},
	}, nil
}

// idempotencyKey is the step's key, or, when it is longer than Stripe
// takes, its start and a hash of the whole: the same on every attempt.
func idempotencyKey(key string) string {
	if len(key) <= maxKey {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	h := hex.EncodeToString(sum[:])
	return key[:maxKey-len(h)-1] + "~" + h
}

// form is a Stripe request body being built from `with` fields.
type form struct {
	in *integrations.In
}

// newForm starts the form-encoded body Stripe's v1 API takes.
func newForm(in *integrations.In) form {
	in.Form = map[string][]string{}
	return form{in}
}

// strings copies optional string fields under their own names.
func (f form) strings(fields ...string) error {
	for _, name := range fields {
		v, err := f.in.OptString(name)
		if err != nil {
			return err
		}
		if v = strings.TrimSpace(v); v != "" {
			f.in.Form.Set(name, v)
		}
	}
	return nil
}

// id copies a required or optional id field.
func (f form) id(name string, required bool) error {
	id, err := f.in.OptID(name)
	switch {
	case err != nil:
		return err
	case id == "" && required:
		return fmt.Errorf("with.%s is required", name)
	case id != "":
		f.in.Form.Set(name, id)
	}
	return nil
}

// ints copies optional whole-number fields (amounts in the currency's
// smallest unit, as Stripe takes them: 4900 is 49.00 USD).
func (f form) ints(fields ...string) error {
	for _, name := range fields {
		if !f.in.Has(name) {
			continue
		}
		n, err := f.in.Int(name)
		if err != nil {
			return fmt.Errorf("%w (Stripe takes amounts in the currency's smallest unit: 4900 for 49.00 USD)", err)
		}
		f.in.Form.Set(name, strconv.FormatInt(n, 10))
	}
	return nil
}

// bool copies an optional boolean field as true/false.
func (f form) bool(name string) error {
	v, set, err := f.in.Bool(name)
	if set {
		f.in.Form.Set(name, strconv.FormatBool(v))
	}
	return err
}

// oneOf copies an optional field whose value must be one of values.
func (f form) oneOf(name string, values ...string) error {
	v, err := f.in.OneOf(name, values...)
	if v != "" {
		f.in.Form.Set(name, v)
	}
	return err
}

// metadata copies with.metadata as metadata[key]=value: Stripe keeps up to
// 50 keys of 40 characters, values up to 500; an empty value unsets a key.
func (f form) metadata() error {
	m, err := f.in.Scalars("metadata")
	if err != nil {
		return err
	}
	if len(m) > 50 {
		return fmt.Errorf("with.metadata has %d keys; Stripe keeps at most 50", len(m))
	}
	for k, v := range m {
		if len(k) > 40 || strings.ContainsAny(k, "[]") {
			return fmt.Errorf("with.metadata: key %q must be at most 40 characters, without [ or ]", k)
		}
		f.in.Form.Set("metadata["+k+"]", v)
	}
	return nil
}

// object reads a Stripe object answer into the named fields beside id.
func object(fields ...string) func(*integrations.Response) (any, error) {
	return func(r *integrations.Response) (any, error) {
		var o map[string]any
		if err := integrations.DecodeJSON(r, &o); err != nil {
			return nil, err
		}
		return pick(o, fields), nil
	}
}

// pick is {id, fields…} of a decoded object; Stripe's integer amounts
// and timestamps come back as whole numbers.
func pick(o map[string]any, fields []string) map[string]any {
	out := map[string]any{"id": o["id"]}
	for _, f := range fields {
		v := o[f]
		if n, ok := v.(float64); ok && n == float64(int64(n)) {
			v = int64(n)
		}
		out[f] = v
	}
	return out
}
