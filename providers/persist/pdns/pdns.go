// Package pdns publishes dns-persist-01 records in a PowerDNS
// Authoritative server through its HTTP API (libdns/powerdns), configured
// with lego's PDNS_* environment variables.
//
// PowerDNS's API works on whole RRsets: publish reads the zone and replaces
// the TXT RRset at the name with its current values plus the new one
// (unpublish: minus that value). Other values are carried over unchanged,
// but two processes writing the same name at the same moment can lose one's
// change. The whole RRset takes the TTL given here. The library sends a
// value as one quoted string, so values over 255 octets are refused.
package pdns

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/powerdns"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIURL     = "PDNS_API_URL"
	EnvAPIKey     = "PDNS_API_KEY"
	EnvServerName = "PDNS_SERVER_NAME"
)

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// Host is the API's URL ("http://pdns.example:8081"); "/api/v1" is
	// appended when it has no path.
	Host       *url.URL
	APIKey     string
	ServerName string // "localhost" when empty
}

// DNSProvider publishes dns-persist-01 records in a PowerDNS Authoritative server. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads PDNS_ZONE, PDNS_TTL, PDNS_HTTP_TIMEOUT and
// PDNS_SERVER_NAME.
func NewDefaultConfig() *Config {
	return &Config{
		Options:    libdnsadapter.ReadOptions(defaultTTL, "PDNS_"),
		ServerName: env.GetOrDefaultString(EnvServerName, "localhost"),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	values, err := env.Get(EnvAPIKey, EnvAPIURL)
	if err != nil {
		return nil, fmt.Errorf("pdns: %w", err)
	}

	host, err := url.Parse(values[EnvAPIURL])
	if err != nil {
		// url.Error quotes the URL, which may carry a password.
		return nil, fmt.Errorf("pdns: %s is not a valid URL", EnvAPIURL)
	}

	cfg := NewDefaultConfig()
	cfg.Host, cfg.APIKey = host, values[EnvAPIKey]

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("pdns: %w (or set PDNS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("pdns: the API key is missing: set " + EnvAPIKey)
	}

	if cfg.Host == nil || (cfg.Host.Scheme != "http" && cfg.Host.Scheme != "https") || cfg.Host.Host == "" {
		return nil, fmt.Errorf("pdns: the API URL is missing or not http(s)://host[:port]: set %s", EnvAPIURL)
	}

	secrets := []string{cfg.APIKey}
	if pw, ok := cfg.Host.User.Password(); ok {
		secrets = append(secrets, pw)
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("pdns", secrets...).WithReadBack(), &powerdns.Provider{
		ServerURL: cfg.Host.String(),
		ServerID:  cfg.ServerName,
		APIToken:  cfg.APIKey,
		// Debug stays empty: the library's debug output contains the key.
	})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "pdns",
		Aliases:    []string{"powerdns"},
		Backing:    "libdns/powerdns v0.1.4 (mittwald/go-powerdns)",
		Safety:     libdnsadapter.SafeReadBack + ": the library REPLACEs the whole TXT RRset with what it read plus (or minus) our value.",
		LongValues: libdnsadapter.LongRefused,
		Description: "PowerDNS Authoritative HTTP API (libdns/powerdns). Publish replaces the TXT RRset at the name " +
			"with its values plus the new one; unpublish with that value removed. Values must fit in 255 octets.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIURL, Description: "API URL, e.g. http://pdns.example:8081", Required: true},
			{Name: EnvAPIKey, Description: "API key (X-API-Key)", Required: true},
			{Name: EnvServerName, Description: "Server ID in the API path (default localhost)"},
		}, libdnsadapter.CommonEnv("PDNS_", defaultTTL)...),
	}
}
