// Package digitalocean publishes dns-persist-01 records in DigitalOcean DNS
// through the DigitalOcean API v2 (net/http only), configured with lego's
// DO_* environment variables.
//
// Publish creates one TXT record (POST /v2/domains/{zone}/records) and never
// touches the other records at the name. DigitalOcean deletes records by ID
// only, so unpublish lists the TXT records at the name (GET with the type
// and name filters, every page) and deletes, by ID, only those whose data is
// exactly the value given; other values stay. Requests are not retried: a
// rate limit (429) or server error reaches the caller as one line naming
// the HTTP status.
package digitalocean

import (
	"errors"
	"fmt"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAuthToken = "DO_AUTH_TOKEN"
	EnvAPIUrl    = "DO_API_URL"
)

// DefaultBaseURL is the API used when DO_API_URL is unset.
const DefaultBaseURL = "https://api.digitalocean.com"

const defaultTTL = 30 // lego's default, and the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// AuthToken is a DigitalOcean API token with write access to the domain.
	AuthToken string

	// BaseURL is the API's base URL, without the /v2 path; DefaultBaseURL
	// when empty. Requests go to BaseURL + "/v2/domains/...".
	BaseURL string
}

// DNSProvider publishes dns-persist-01 records in DigitalOcean DNS. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads DO_ZONE, DO_TTL, DO_HTTP_TIMEOUT and DO_API_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "DO_"),
		BaseURL: env.GetOrDefaultString(EnvAPIUrl, DefaultBaseURL),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AuthToken = env.GetOrFile(EnvAuthToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("digitalocean: %w (or set DO_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AuthToken == "" {
		return nil, errors.New("digitalocean: the API token is missing: set " + EnvAuthToken)
	}

	base, err := httpapi.APIBaseURL("digitalocean", EnvAPIUrl, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}

	httpClient, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("digitalocean: %w", err)
	}

	c := &client{http: httpClient, baseURL: base, token: cfg.AuthToken}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("digitalocean", cfg.AuthToken), c)
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "digitalocean",
		Backing:    "own client (DigitalOcean API v2, net/http)",
		Safety:     libdnsadapter.SafePerRecord + ": POST one record; DELETE by ID only the records holding exactly the value.",
		LongValues: libdnsadapter.LongWhole,
		Description: "DigitalOcean DNS API v2. Publish creates one TXT record next to the others; unpublish lists the " +
			"TXT records at the name and deletes only those with exactly that value.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAuthToken, Description: "DigitalOcean API token with write access", Required: true},
			{Name: EnvAPIUrl, Description: "API base URL (default " + DefaultBaseURL + ")"},
		}, libdnsadapter.CommonEnv("DO_", defaultTTL)...),
	}
}
