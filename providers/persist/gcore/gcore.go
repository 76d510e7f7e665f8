// Package gcore publishes dns-persist-01 records in Gcore DNS through its
// API v2 (net/http only), configured with lego's GCORE_* environment
// variables.
//
// Gcore writes an RRset whole: publish reads the TXT RRset at the name and
// writes it back with one more resource record (POST to create, PUT to
// update); unpublish writes it back without the records holding exactly
// the value (DELETE when none is left; lego's cleanup deletes the whole
// RRset, other values included). Every write is read back and a value a
// concurrent writer dropped is written again.
package gcore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvPermanentAPIToken is lego's variable for the permanent API token
// (also as NAME_FILE).
const EnvPermanentAPIToken = "GCORE_PERMANENT_API_TOKEN"

// DefaultBaseURL is the Gcore DNS API.
const DefaultBaseURL = "https://api.gcore.com/dns"

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIToken string
	BaseURL  string // DefaultBaseURL when empty
}

// NewDefaultConfig reads GCORE_ZONE, GCORE_TTL and GCORE_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "GCORE_")}
}

// DNSProvider publishes dns-persist-01 records in Gcore DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIToken = env.GetOrFile(EnvPermanentAPIToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("gcore: %w (or set GCORE_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIToken == "" {
		return nil, errors.New("gcore: the API token is missing: set " + EnvPermanentAPIToken)
	}

	c, err := cfg.APIClient("gcore", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"APIKey " + cfg.APIToken}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "error", "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("gcore", cfg.APIToken).WithReadBack(), libdnsadapter.RRSets(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "gcore",
		Description: "Gcore DNS API v2. Publish writes the TXT RRset at the name back with the value added; unpublish " +
			"without exactly that value; both read the RRset back and repair it.",
		Backing:    "own client (Gcore DNS API v2, net/http)",
		Safety:     libdnsadapter.SafeReadBack + ": POST/PUT /v2/zones/{zone}/{name}/TXT replaces the whole RRset.",
		LongValues: libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvPermanentAPIToken, Description: "Permanent API token", Required: true},
		}, libdnsadapter.CommonEnv("GCORE_", defaultTTL)...),
	}
}

// api is the Gcore DNS API as a libdnsadapter.RRSetAPI.
type api struct{ c *httpapi.Client }

type rrset struct {
	TTL     int `json:"ttl"`
	Records []struct {
		Content []string `json:"content"`
	} `json:"resource_records"`
}

func setPath(n libdnsadapter.Name) string {
	return "/v2/zones/" + url.PathEscape(n.Zone) + "/" + url.PathEscape(n.FQDN()) + "/TXT"
}

// GetTXT reads the RRset; a 404 is no RRset. A record's content strings
// are joined, as TXT character-strings are.
func (a api) GetTXT(ctx context.Context, n libdnsadapter.Name) ([]string, int, error) {
	var set rrset

	err := a.c.Call(ctx, http.MethodGet, setPath(n), nil, &set)

	if httpapi.IsNotFound(err) {
		return nil, 0, nil
	}

	if err != nil {
		return nil, 0, err
	}

	out := make([]string, 0, len(set.Records))
	for _, r := range set.Records {
		out = append(out, strings.Join(r.Content, ""))
	}

	return out, set.TTL, nil
}

func (a api) PutTXT(ctx context.Context, n libdnsadapter.Name, values []string, ttl int, existed bool) error {
	if len(values) == 0 {
		return a.c.Call(ctx, http.MethodDelete, setPath(n), nil, nil)
	}

	set := rrset{TTL: ttl}
	for _, v := range values {
		set.Records = append(set.Records, struct {
			Content []string `json:"content"`
		}{Content: []string{v}})
	}

	method := http.MethodPost
	if existed {
		method = http.MethodPut
	}

	return a.c.Call(ctx, method, setPath(n), set, nil)
}
