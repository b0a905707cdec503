// Package salesforce is the Salesforce kind: create, upsert, find and
// update sObject records through the REST API, with tokens fetched by the
// JWT bearer, refresh token or client credentials flow (or a static
// access token).
//
// Checked against https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm,
// .../dome_upsert.htm and .../errorcodes.htm (REST API v60.0), and
// https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
// for the JWT bearer flow.
package salesforce

import (
	"net/url"
	"regexp"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/hookflow/hookflow/integrations"
)

// DefaultAPIVersion is the REST API version the operations use.
const DefaultAPIVersion = "v60.0"

// Config is the spec of `kind: salesforce`:
//
//	sf:
//	  kind: salesforce
//	  instance_url: https://acme.my.salesforce.com   # required: the org's My Domain URL
//	  oauth:                                         # tokens fetched and renewed by the worker
//	    grant: jwt_bearer                            # jwt_bearer (default) | refresh_token | client_credentials
//	    client_id: ${SF_CONSUMER_KEY}                # the connected app's consumer key
//	    subject: integration@acme.example            # the user the integration acts as
//	    private_key: ${SF_PRIVATE_KEY}               # PEM; its certificate is uploaded to the app
//	    # token_url: default {instance_url}/services/oauth2/token
//	    # audience: default https://login.salesforce.com (https://test.salesforce.com for sandboxes)
//	  # or, instead of oauth, a static access token:
//	  # token: ${SALESFORCE_TOKEN}
//	  api_version: v60.0                             # optional
//
// Access tokens end with the org's session timeout (2 h by default): with
// oauth, a 401 INVALID_SESSION_ID fetches a new one and resends once; a
// static token cannot be renewed, so the step fails.
type Config struct {
	InstanceURL string                    `yaml:"instance_url"`
	Token       string                    `yaml:"token"`
	OAuth       *integrations.OAuthConfig `yaml:"oauth"`
	APIVersion  string                    `yaml:"api_version"`
}

// jwtAssertion is how long a JWT bearer assertion is valid: Salesforce
// takes an exp at most 3 minutes ahead.
const jwtAssertion = 3 * time.Minute

var (
	versionRE = regexp.MustCompile(`^v\d{2,3}\.0$`)
	// API names of objects and fields: Account, Order__c, ns__Thing__c.
	nameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

var _ integrations.Constructor = New

// New builds a Salesforce integration from its configuration node.
func New(node *yaml.Node) (*integrations.Integration, error) {
	var c Config
	if err := integrations.Decode(node, &c); err != nil {
		return nil, err
	}
	problems := integrations.NewProblems(node)
	var base *url.URL
	if c.InstanceURL == "" {
		problems.Field("instance_url", "is required: the org's URL, e.g. https://acme.my.salesforce.com")
	} else {
		u, err := url.Parse(c.InstanceURL)
		if err != nil || (u.Scheme != "https" && !(u.Scheme == "http" && integrations.Loopback(u))) || u.Host == "" || u.RawQuery != "" || u.User != nil {
			problems.Field("instance_url", "must be an https URL such as https://acme.my.salesforce.com")
		} else {
			base = u
		}
	}
	oauth := integrations.OAuthKind{
		Grants:    []string{integrations.JWTBearer, integrations.RefreshToken, integrations.ClientCredentials},
		Audience:  "https://login.salesforce.com",
		Subject:   true,
		Assertion: jwtAssertion,
		// Salesforce documents the client secret as a form parameter.
		AuthStyle: "params",
	}
	if base != nil {
		oauth.TokenURL = integrations.URL(base, "services", "oauth2", "token")
	}
	token, secrets := problems.Token("token", c.Token, c.OAuth, oauth, "an OAuth access token, e.g. ${SALESFORCE_TOKEN}")
	if c.APIVersion == "" {
		c.APIVersion = DefaultAPIVersion
	} else if !versionRE.MatchString(c.APIVersion) {
		problems.Field("api_version", "must be a REST API version such as %s", DefaultAPIVersion)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	// Every operation is below /services/data/{version}.
	versioned, _ := url.Parse(integrations.URL(base, "services", "data", c.APIVersion))
	api := &integrations.API{Base: versioned, Errors: classify}
	return &integrations.Integration{
		Operations: api.Operations(map[string]*integrations.Op{
			"create_record": createRecord,
			"upsert_record": upsertRecord,
			"find_record":   findRecord,
			"update_record": updateRecord,
		}),
		Auth:    integrations.Bearer(token),
		Secrets: secrets,
	}, nil
}

// saveResult is what create and upsert answer.
type saveResult struct {
	ID      string `json:"id"`
	Success bool   `json:"success"`
	Created *bool  `json:"created"`
	Errors  []struct {
		Message    string `json:"message"`
		StatusCode string `json:"statusCode"`
	} `json:"errors"`
}
