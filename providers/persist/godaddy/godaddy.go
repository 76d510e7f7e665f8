// Package godaddy publishes dns-persist-01 records at GoDaddy through its
// Domains API v1 (net/http only), configured with lego's GODADDY_*
// environment variables.
//
// Publish adds one record with PATCH /v1/domains/{zone}/records, which
// appends without sending the other values. GoDaddy has no way to delete
// one value: unpublish reads the TXT set at the name and PUTs it back
// without exactly the value (DELETE when it was the only one), then reads
// the set back and repairs what a concurrent writer's change lost.
package godaddy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIKey    = "GODADDY_API_KEY"
	EnvAPISecret = "GODADDY_API_SECRET"
)

// DefaultBaseURL is GoDaddy's production API.
const DefaultBaseURL = "https://api.godaddy.com"

const defaultTTL = 600 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey    string
	APISecret string
	BaseURL   string // DefaultBaseURL when empty (OTE: https://api.ote-godaddy.com)
}

// NewDefaultConfig reads GODADDY_ZONE, GODADDY_TTL and GODADDY_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "GODADDY_")}
}

// DNSProvider publishes dns-persist-01 records at GoDaddy. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey, cfg.APISecret = env.GetOrFile(EnvAPIKey), env.GetOrFile(EnvAPISecret)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("godaddy: %w (or set GODADDY_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" || cfg.APISecret == "" {
		return nil, errors.New("godaddy: the API key or secret is missing: set " + EnvAPIKey + " and " + EnvAPISecret)
	}

	auth := "sso-key " + cfg.APIKey + ":" + cfg.APISecret

	c, err := cfg.APIClient("godaddy", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {auth}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message", "code") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("godaddy", cfg.APIKey, cfg.APISecret).WithReadBack(), libdnsadapter.RRSets(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "godaddy",
		Description: "GoDaddy Domains API v1. Publish appends one TXT record (PATCH); unpublish writes the TXT set back " +
			"without exactly that value (PUT), then reads it back.",
		Backing: "own client (GoDaddy Domains API v1, net/http)",
		Safety: libdnsadapter.SafeReadBack + ": publish is a per-value PATCH; unpublish PUTs the whole TXT set at the " +
			"name (GoDaddy cannot delete one value), so it reads back and repairs.",
		LongValues: libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
			{Name: EnvAPISecret, Description: "API secret", Required: true},
		}, libdnsadapter.CommonEnv("GODADDY_", defaultTTL)...),
	}
}

// api is the GoDaddy Domains API as a libdnsadapter.RRSetAPI.
type api struct{ c *httpapi.Client }

type record struct {
	Type string `json:"type,omitempty"`
	Name string `json:"name,omitempty"`
	Data string `json:"data"`
	TTL  int    `json:"ttl,omitempty"`
}

func setPath(n libdnsadapter.Name) string {
	return "/v1/domains/" + url.PathEscape(n.Zone) + "/records/TXT/" + url.PathEscape(n.RelativeOr("@"))
}

func (a api) GetTXT(ctx context.Context, n libdnsadapter.Name) ([]string, int, error) {
	var recs []record
	if err := a.c.Call(ctx, http.MethodGet, setPath(n), nil, &recs); err != nil {
		return nil, 0, err
	}

	out, ttl := make([]string, 0, len(recs)), 0
	for _, r := range recs {
		out, ttl = append(out, r.Data), r.TTL
	}

	return out, ttl, nil
}

func (a api) PutTXT(ctx context.Context, n libdnsadapter.Name, values []string, ttl int, _ bool) error {
	if len(values) == 0 {
		return a.c.Call(ctx, http.MethodDelete, setPath(n), nil, nil)
	}

	if ttl == 0 {
		ttl = defaultTTL
	}

	recs := make([]record, 0, len(values))
	for _, v := range values {
		recs = append(recs, record{Data: v, TTL: ttl})
	}

	return a.c.Call(ctx, http.MethodPut, setPath(n), recs, nil)
}

// AppendTXT adds one record: PATCH /v1/domains/{zone}/records.
func (a api) AppendTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	return a.c.Call(ctx, http.MethodPatch, "/v1/domains/"+url.PathEscape(n.Zone)+"/records",
		[]record{{Type: "TXT", Name: n.RelativeOr("@"), Data: value, TTL: ttl}}, nil)
}
