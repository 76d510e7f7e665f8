// Package bunny publishes dns-persist-01 records in Bunny DNS (bunny.net)
// through its REST API (net/http only), configured with lego's BUNNY_*
// environment variables.
//
// Each TXT value is a record of its own: publish adds one record (PUT
// /dnszone/{id}/records); unpublish reads the zone and deletes, by ID, the
// TXT records at the name holding exactly the value.
package bunny

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvAPIKey is lego's variable for the account API key (also as NAME_FILE).
const EnvAPIKey = "BUNNY_API_KEY"

// DefaultBaseURL is the bunny.net API.
const DefaultBaseURL = "https://api.bunny.net"

const defaultTTL = 120 // lego's default

// txtType is the API's number for TXT records.
const txtType = 3

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads BUNNY_ZONE, BUNNY_TTL and BUNNY_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "BUNNY_")}
}

// DNSProvider publishes dns-persist-01 records in Bunny DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("bunny: %w (or set BUNNY_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("bunny: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("bunny", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"AccessKey": {cfg.APIKey}})
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("bunny", cfg.APIKey), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "bunny",
		Description: "bunny.net DNS API. Publish adds one TXT record to the zone; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (bunny.net API, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": PUT /dnszone/{id}/records adds one record; DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "Account API key", Required: true},
		}, libdnsadapter.CommonEnv("BUNNY_", defaultTTL)...),
	}
}

// api is the bunny.net DNS API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID    int64  `json:"Id,omitempty"`
	Type  int    `json:"Type"`
	Name  string `json:"Name"`
	Value string `json:"Value"`
	TTL   int    `json:"Ttl,omitempty"`
}

type zone struct {
	ID      int64    `json:"Id"`
	Domain  string   `json:"Domain"`
	Records []record `json:"Records"`
}

// zone finds the zone by name: GET /dnszone?search={zone}.
func (a api) zone(ctx context.Context, n libdnsadapter.Name) (zone, error) {
	var resp struct {
		Items []zone `json:"Items"`
	}

	q := url.Values{"search": {n.Zone}, "perPage": {"1000"}}
	if err := a.c.Call(ctx, http.MethodGet, "/dnszone?"+q.Encode(), nil, &resp); err != nil {
		return zone{}, err
	}

	for _, z := range resp.Items {
		if strings.EqualFold(z.Domain, n.Zone) {
			return z, nil
		}
	}

	return zone{}, fmt.Errorf("DNS zone %s not found in this bunny.net account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	z, err := a.zone(ctx, n)
	if err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range z.Records {
		if r.Type == txtType && strings.EqualFold(r.Name, n.Relative) {
			out = append(out, libdnsadapter.APIRecord{ID: strconv.FormatInt(z.ID, 10) + "/records/" + strconv.FormatInt(r.ID, 10), Value: r.Value})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	z, err := a.zone(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPut, "/dnszone/"+strconv.FormatInt(z.ID, 10)+"/records",
		record{Type: txtType, Name: n.Relative, Value: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, "/dnszone/"+rec.ID, nil, nil)
}
