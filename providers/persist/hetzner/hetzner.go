// Package hetzner publishes dns-persist-01 records in Hetzner DNS through
// the Hetzner Cloud API (api.hetzner.cloud, net/http only), configured with
// lego's HETZNER_API_TOKEN.
//
// Publish reads the TXT RRSet at the name and, unless the value is already
// there, runs the RRSet action add_records with that one value; unpublish
// runs remove_records with exactly the records holding the value. Both
// actions change only the records they name, so other CAs' and accounts'
// values stay, and both wait until the API reports the action finished. An
// existing RRSet keeps its TTL; HETZNER_TTL applies to a new one.
//
// The legacy DNS Console API (dns.hetzner.com, lego's deprecated
// HETZNER_API_KEY) is not supported: a configuration with only
// HETZNER_API_KEY is refused with a hint to move to a Cloud API token.
package hetzner

import (
	"errors"
	"fmt"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names (each also as NAME_FILE): lego's, plus
// HETZNER_API_URL (lego-persist's own; lego has no base URL setting for
// Hetzner) to reach a proxy or a test server.
const (
	EnvAPIToken = "HETZNER_API_TOKEN"
	EnvAPIURL   = "HETZNER_API_URL"

	// EnvAPIKey is lego's deprecated DNS Console API key: refused.
	EnvAPIKey = "HETZNER_API_KEY"
)

// DefaultBaseURL is the Cloud API used when HETZNER_API_URL is unset.
const DefaultBaseURL = "https://api.hetzner.cloud/v1"

const defaultTTL = 120 // lego's default for the Cloud API

// defaultPollInterval is the time between reads of a running action.
const defaultPollInterval = 500 * time.Millisecond

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// APIToken is a Hetzner Cloud API token with read & write permission in
	// the project holding the zone.
	APIToken string

	// BaseURL is the Cloud API's base URL ("https://api.hetzner.cloud/v1");
	// DefaultBaseURL when empty.
	BaseURL string
}

// DNSProvider publishes dns-persist-01 records in Hetzner DNS. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads HETZNER_ZONE, HETZNER_TTL, HETZNER_HTTP_TIMEOUT and
// HETZNER_API_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "HETZNER_"),
		BaseURL: env.GetOrDefaultString(EnvAPIURL, DefaultBaseURL),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIToken = env.GetOrFile(EnvAPIToken)

	if cfg.APIToken == "" && env.GetOrFile(EnvAPIKey) != "" {
		return nil, errors.New("hetzner: " + EnvAPIKey + " (the legacy DNS Console API) is not supported: move the zone to " +
			"the Hetzner Console and set " + EnvAPIToken + " to a Cloud API token with read & write permission")
	}

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("hetzner: %w (or set HETZNER_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	return newPublisher(cfg, defaultPollInterval)
}

// newPublisher is NewDNSProviderConfig with the time between reads of a
// running action.
func newPublisher(cfg *Config, pollInterval time.Duration) (*DNSProvider, error) {
	if cfg == nil || cfg.APIToken == "" {
		return nil, errors.New("hetzner: the API token is missing: set " + EnvAPIToken + " to a Hetzner Cloud API token")
	}

	base, err := httpapi.APIBaseURL("hetzner", EnvAPIURL, cfg.BaseURL, DefaultBaseURL)
	if err != nil {
		return nil, err
	}

	httpClient, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("hetzner: %w", err)
	}

	c := &client{http: httpClient, baseURL: base, token: cfg.APIToken, pollInterval: pollInterval}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("hetzner", cfg.APIToken), c)
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	common := libdnsadapter.CommonEnv("HETZNER_", defaultTTL)
	for i := range common {
		if common[i].Name == "HETZNER_TTL" {
			common[i].Description = fmt.Sprintf("TTL in seconds of a new TXT RRSet (default %d); an existing RRSet keeps its own", defaultTTL)
		}
	}

	return libdnsadapter.Description{
		Name:       "hetzner",
		Backing:    "own client (Hetzner Cloud API, net/http)",
		Safety:     libdnsadapter.SafePerValue + ": RRSet actions add_records / remove_records name only our value.",
		LongValues: libdnsadapter.LongSplit,
		Description: "Hetzner Cloud API (DNS zones in the Hetzner Console). Publish adds the value to the TXT RRSet with " +
			"its add_records action; unpublish removes exactly that value with remove_records; other values stay. " +
			"The legacy DNS Console API (HETZNER_API_KEY) is not supported.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIToken, Description: "Hetzner Cloud API token with read & write permission", Required: true},
			{Name: EnvAPIURL, Description: "Cloud API base URL (default " + DefaultBaseURL + "; lego-persist's own)"},
		}, common...),
	}
}
