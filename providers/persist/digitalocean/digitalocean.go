// Package digitalocean publishes dns-persist-01 records in DigitalOcean DNS
// through libdns/digitalocean (godo), configured with lego's DO_*
// environment variables.
//
// Publish creates one TXT record. DigitalOcean deletes records by ID only,
// so unpublish first lists the zone's records and deletes the TXT record at
// the name whose value is exactly the one given; other values stay. godo
// retries rate-limited and failed (5xx) requests with backoff, within
// DO_HTTP_TIMEOUT.
package digitalocean

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/digitalocean"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAuthToken = "DO_AUTH_TOKEN"
	EnvAPIUrl    = "DO_API_URL"
)

// DefaultBaseURL is the only API the library can talk to: godo is built with
// it and with its own HTTP transport, so no test can point the library at a
// local server (the package tests use a test double with the library's
// record type instead).
const DefaultBaseURL = "https://api.digitalocean.com"

const defaultTTL = 30 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AuthToken string

	// BaseURL must be empty or DefaultBaseURL: libdns/digitalocean has no
	// way to use another API URL, and ignoring lego's DO_API_URL silently
	// would send the records somewhere the user did not ask for.
	BaseURL string
}

// NewDefaultConfig reads DO_ZONE, DO_TTL, DO_HTTP_TIMEOUT and DO_API_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "DO_"),
		BaseURL: env.GetOrFile(EnvAPIUrl),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*libdnsadapter.Publisher, error) {
	cfg := NewDefaultConfig()
	cfg.AuthToken = env.GetOrFile(EnvAuthToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("digitalocean: %w (or set DO_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*libdnsadapter.Publisher, error) {
	if cfg == nil || cfg.AuthToken == "" {
		return nil, errors.New("digitalocean: the API token is missing: set " + EnvAuthToken)
	}

	if u := strings.TrimSuffix(cfg.BaseURL, "/"); u != "" && u != DefaultBaseURL {
		return nil, fmt.Errorf("digitalocean: %s is not supported (the libdns/digitalocean library only talks to %s): unset it",
			EnvAPIUrl, DefaultBaseURL)
	}

	return newPublisher(cfg, &digitalocean.Provider{APIToken: cfg.AuthToken})
}

// newPublisher wires p (the library, or a test double) to the adapter.
func newPublisher(cfg *Config, p libdnsadapter.Provider) (*libdnsadapter.Publisher, error) {
	ac := cfg.Config("digitalocean", cfg.AuthToken)
	ac.DeleteByLookup = true // the library's DeleteRecords needs the record ID

	return libdnsadapter.New(ac, p)
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "digitalocean",
		Description: "DigitalOcean DNS API (libdns/digitalocean). Publish creates one TXT record next to the others; " +
			"unpublish lists the zone and deletes the record with exactly that value.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAuthToken, Description: "DigitalOcean API token with write access", Required: true},
		}, libdnsadapter.CommonEnv("DO_", defaultTTL)...),
	}
}
