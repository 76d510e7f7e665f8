// Package desec publishes dns-persist-01 records at deSEC (desec.io) through
// libdns/desec, configured with lego's DESEC_* environment variables.
//
// deSEC's API works on whole RRsets: publish reads the TXT RRset at the name
// and writes it back with the new value added (unpublish: with the value
// removed). Other values are carried over unchanged, but two processes
// writing the same name at the same moment can lose one's change; within
// one process the library serializes writes. The library retries rate-limited
// requests (HTTP 429) after Retry-After, within DESEC_HTTP_TIMEOUT. deSEC's
// minimum TTL is 3600 s. The library sends a value as one quoted string, so
// values over 255 octets are refused by deSEC.
package desec

import (
	"errors"
	"fmt"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/desec"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvToken is lego's variable for the deSEC API token (also DESEC_TOKEN_FILE).
const EnvToken = "DESEC_TOKEN"

const defaultTTL = 3600 // lego's default and deSEC's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Token string
}

// DNSProvider publishes dns-persist-01 records at deSEC. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads DESEC_ZONE, DESEC_TTL and DESEC_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "DESEC_")}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Token = env.GetOrFile(EnvToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("desec: %w (or set DESEC_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher. The library talks
// to https://desec.io only; it offers no other base URL.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Token == "" {
		return nil, errors.New("desec: the API token is missing: set " + EnvToken)
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("desec", cfg.Token).WithReadBack(), &desec.Provider{Token: cfg.Token})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "desec",
		Backing:    "libdns/desec v1.1.1",
		Safety:     libdnsadapter.SafeReadBack + ": the library PATCHes the whole TXT RRset it read just before.",
		LongValues: libdnsadapter.LongRefused,
		Description: "deSEC API (libdns/desec). Publish rewrites the TXT RRset at the name with the value added, " +
			"unpublish with the value removed; other values are kept. Values must fit in 255 octets.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvToken, Description: "deSEC API token", Required: true},
		}, libdnsadapter.CommonEnv("DESEC_", defaultTTL)...),
	}
}
