package libdnsadapter

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// Options are the settings every provider package shares; each package's
// Config embeds them.
type Options struct {
	// Zone is the zone holding the records ("example.com"). When empty the
	// zone is found through FindZone, or else through Resolvers.
	Zone string

	// FindZone returns the zone holding a record name (tests, callers with
	// their own zone logic).
	FindZone func(ctx context.Context, fqdn string) (string, error)

	// Resolvers ("host:port") find zones by SOA lookups when Zone and
	// FindZone are unset.
	Resolvers []string

	// TTL of new records, in seconds (lego's <PREFIX>_TTL).
	TTL int

	// HTTPTimeout bounds each Publish or Unpublish call as a whole
	// (DefaultTimeout when zero).
	HTTPTimeout time.Duration

	// Settle is Config.Settle, for the whole-set APIs that read back.
	Settle time.Duration
}

// ReadOptions reads <prefix>ZONE, <prefix>TTL and <prefix>HTTP_TIMEOUT
// (each also as NAME_FILE); prefix includes the underscore ("CLOUDFLARE_").
// alt are legacy prefixes tried next ("CF_").
func ReadOptions(defaultTTL int, prefix string, alt ...string) Options {
	names := func(suffix string) (string, []string) {
		var others []string
		for _, a := range alt {
			others = append(others, a+suffix)
		}

		return prefix + suffix, others
	}

	zone, zoneAlt := names("ZONE")
	ttl, ttlAlt := names("TTL")
	timeout, timeoutAlt := names("HTTP_TIMEOUT")

	return Options{
		Zone:        env.GetOneWithFallback(zone, "", env.ParseString, zoneAlt...),
		TTL:         env.GetOneWithFallback(ttl, defaultTTL, parseTTL, ttlAlt...),
		HTTPTimeout: env.GetOneWithFallback(timeout, DefaultTimeout, env.ParseSecond, timeoutAlt...),
	}
}

func parseTTL(s string) (int, error) {
	d, err := env.ParseSecond(s)

	return int(d / time.Second), err
}

// UseSystemResolvers fills Resolvers from /etc/resolv.conf when no zone,
// zone finder or resolver is configured. NewDNSProvider functions call it;
// NewDNSProviderConfig never does, so code that builds a Config decides.
func (o *Options) UseSystemResolvers() error {
	if o.Zone != "" || o.FindZone != nil || len(o.Resolvers) > 0 {
		return nil
	}

	r, err := SystemResolvers()
	if err != nil {
		return fmt.Errorf("no zone configured, and the system resolvers to find it are unusable: %w", err)
	}

	o.Resolvers = r

	return nil
}

// Config returns the adapter Config for provider name, with secrets to
// scrub from errors.
func (o Options) Config(name string, secrets ...string) Config {
	return Config{
		Name:      name,
		Zone:      o.Zone,
		FindZone:  o.FindZone,
		Resolvers: o.Resolvers,
		TTL:       time.Duration(o.TTL) * time.Second,
		Timeout:   o.HTTPTimeout,
		Settle:    o.Settle,
		Secrets:   secrets,
	}
}

// CommonEnv describes <prefix>ZONE and <prefix>HTTP_TIMEOUT, and
// <prefix>TTL with its default, for a Description.
func CommonEnv(prefix string, defaultTTL int) []EnvVar {
	return []EnvVar{
		{Name: prefix + "ZONE", Description: ZoneEnvDescription},
		{Name: prefix + "TTL", Description: fmt.Sprintf("TTL of the record in seconds (default %d)", defaultTTL)},
		{Name: prefix + "HTTP_TIMEOUT", Description: TimeoutEnvDescription},
	}
}

// WithReadBack returns c with ReadBack set, for whole-set APIs.
func (c Config) WithReadBack() Config {
	c.ReadBack = true

	return c
}

// APIClient returns the JSON client of a provider package's own API
// client: base (def when empty; envName names its variable in errors),
// requests bounded by HTTPTimeout, header sent with each request.
func (o Options) APIClient(provider, envName, base, def string, header http.Header) (*httpapi.Client, error) {
	u, err := httpapi.APIBaseURL(provider, envName, base, def)
	if err != nil {
		return nil, err
	}

	hc, err := httpapi.NewHTTPClient(o.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", provider, err)
	}

	return &httpapi.Client{HTTP: hc, BaseURL: u, Header: header}, nil
}
