// Package vultr publishes dns-persist-01 records in Vultr DNS through the
// Vultr API v2 (net/http only), configured with lego's VULTR_* environment
// variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /v2/domains/{zone}/records); unpublish lists the records and deletes, by
// ID, those holding exactly the value. Values over 255 octets are sent as
// several quoted strings.
package vultr

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

// EnvAPIKey is lego's variable for the API key (also as NAME_FILE).
const EnvAPIKey = "VULTR_API_KEY"

// DefaultBaseURL is the Vultr API.
const DefaultBaseURL = "https://api.vultr.com"

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads VULTR_ZONE, VULTR_TTL and VULTR_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "VULTR_")}
}

// DNSProvider publishes dns-persist-01 records in Vultr DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("vultr: %w (or set VULTR_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("vultr: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("vultr", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Bearer " + cfg.APIKey}})
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("vultr", cfg.APIKey), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "vultr",
		Description: "Vultr API v2 DNS records. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Vultr API v2, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
		}, libdnsadapter.CommonEnv("VULTR_", defaultTTL)...),
	}
}

// api is the Vultr API v2 as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID   string `json:"id,omitempty"`
	Type string `json:"type"`
	Name string `json:"name"`
	Data string `json:"data"`
	TTL  int    `json:"ttl,omitempty"`
}

func recordsPath(n libdnsadapter.Name) string {
	return "/v2/domains/" + url.PathEscape(n.Zone) + "/records"
}

// ListTXT reads every page: GET /v2/domains/{zone}/records?per_page=500&cursor=.
func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var out []libdnsadapter.APIRecord

	cursor := ""

	for range 100 {
		var resp struct {
			Records []record `json:"records"`
			Meta    struct {
				Links struct {
					Next string `json:"next"`
				} `json:"links"`
			} `json:"meta"`
		}

		q := url.Values{"per_page": {"500"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}

		if err := a.c.Call(ctx, http.MethodGet, recordsPath(n)+"?"+q.Encode(), nil, &resp); err != nil {
			return nil, err
		}

		for _, r := range resp.Records {
			if r.Type == "TXT" && r.Name == n.Relative {
				out = append(out, libdnsadapter.APIRecord{ID: r.ID, Value: libdnsadapter.Unquote(r.Data)})
			}
		}

		if cursor = resp.Meta.Links.Next; cursor == "" {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	return a.c.Call(ctx, http.MethodPost, recordsPath(n), record{Type: "TXT", Name: n.Relative, Data: libdnsadapter.Quote(value), TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, recordsPath(n)+"/"+url.PathEscape(rec.ID), nil, nil)
}
