// Package salesforce is the Salesforce kind: create and upsert sObject
// records through the REST API with an OAuth access token.
//
// Checked against https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_sobject_create.htm,
// .../dome_upsert.htm and .../errorcodes.htm (REST API v60.0).
package salesforce

import (
	"net/url"
	"regexp"

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
//	  token: ${SALESFORCE_TOKEN}                     # an OAuth access token
//	  api_version: v60.0                             # optional
//
// Access tokens expire (by the org's session timeout); a token from a
// client-credentials or JWT flow refreshed by a deploy step keeps this
// working.
type Config struct {
	InstanceURL string `yaml:"instance_url"`
	Token       string `yaml:"token"`
	APIVersion  string `yaml:"api_version"`
}

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
	problems.Credential("token", c.Token, "an OAuth access token, e.g. ${SALESFORCE_TOKEN}")
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
		Auth:    integrations.Bearer(integrations.StaticToken(c.Token)),
		Secrets: []string{c.Token},
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
