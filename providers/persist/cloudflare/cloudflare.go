// Package cloudflare publishes dns-persist-01 records in Cloudflare DNS
// through libdns/cloudflare, configured with lego's CLOUDFLARE_* (or CF_*)
// environment variables.
//
// Only API tokens are supported (CLOUDFLARE_DNS_API_TOKEN, optionally
// CLOUDFLARE_ZONE_API_TOKEN for the zone lookup); lego's global API key
// (CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY) is refused with a hint.
package cloudflare

import (
	"errors"
	"fmt"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/cloudflare"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as CF_*, and as NAME_FILE),
// plus CLOUDFLARE_ZONE.
const (
	EnvDNSAPIToken  = "CLOUDFLARE_DNS_API_TOKEN"
	EnvZoneAPIToken = "CLOUDFLARE_ZONE_API_TOKEN"
	EnvBaseURL      = "CLOUDFLARE_BASE_URL"
	EnvEmail        = "CLOUDFLARE_EMAIL"
	EnvAPIKey       = "CLOUDFLARE_API_KEY"
)

// DefaultBaseURL is Cloudflare's API, the one libdns/cloudflare calls.
const DefaultBaseURL = "https://api.cloudflare.com/client/v4"

const defaultTTL = 120 // lego's minimum and default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AuthToken string // Zone.DNS:Edit token
	ZoneToken string // optional Zone:Read token for the zone lookup
	BaseURL   string // DefaultBaseURL when empty
}

// DNSProvider publishes dns-persist-01 records in Cloudflare DNS. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads CLOUDFLARE_ZONE, _TTL, _HTTP_TIMEOUT and _BASE_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "CLOUDFLARE_", "CF_"),
		BaseURL: env.GetOneWithFallback(EnvBaseURL, DefaultBaseURL, env.ParseString, "CF_BASE_URL"),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AuthToken = env.GetOneWithFallback(EnvDNSAPIToken, "", env.ParseString, "CF_DNS_API_TOKEN")
	cfg.ZoneToken = env.GetOneWithFallback(EnvZoneAPIToken, "", env.ParseString, "CF_ZONE_API_TOKEN")

	if cfg.AuthToken == "" && env.GetOneWithFallback(EnvAPIKey, "", env.ParseString, "CF_API_KEY") != "" {
		return nil, errors.New("cloudflare: the global API key (CLOUDFLARE_API_KEY) is not supported: create an API token " +
			"with Zone.DNS:Edit permission and set " + EnvDNSAPIToken)
	}

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("cloudflare: %w (or set CLOUDFLARE_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AuthToken == "" {
		return nil, errors.New("cloudflare: the API token is missing: set " + EnvDNSAPIToken)
	}

	client, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, DefaultBaseURL, cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("cloudflare: %w (%s)", err, EnvBaseURL)
	}

	ac := cfg.Config("cloudflare", cfg.AuthToken, cfg.ZoneToken)
	ac.StrictHTTPStatus = true // the library drops the error of its pre-delete lookup

	return libdnsadapter.NewAs[DNSProvider](ac, &cloudflare.Provider{APIToken: cfg.AuthToken, ZoneToken: cfg.ZoneToken, HTTPClient: client})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "cloudflare",
		Backing:    "libdns/cloudflare v0.2.2",
		Safety:     libdnsadapter.SafePerRecord + ": AppendRecords POSTs one record; DeleteRecords finds records by name and exact content and DELETEs by ID.",
		LongValues: libdnsadapter.LongWhole,
		Description: "Cloudflare DNS API (libdns/cloudflare) with an API token. Publish creates one TXT record next to " +
			"the others at the name; unpublish deletes the record with exactly that value.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvDNSAPIToken, Description: "API token with Zone.DNS:Edit permission (alias CF_DNS_API_TOKEN)", Required: true},
			{Name: EnvZoneAPIToken, Description: "API token with Zone:Read permission, for the zone lookup (alias CF_ZONE_API_TOKEN)"},
			{Name: EnvBaseURL, Description: "API base URL (default " + DefaultBaseURL + ")"},
		}, libdnsadapter.CommonEnv("CLOUDFLARE_", defaultTTL)...),
	}
}
