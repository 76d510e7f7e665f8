// Package dynu publishes dns-persist-01 records at Dynu through its API v2
// (net/http only), configured with lego's DYNU_* environment variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /v2/dns/{id}/record); unpublish lists the domain's records and deletes,
// by ID, the TXT records at the name holding exactly the value.
package dynu

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

// EnvAPIKey is lego's variable for the API key (also as NAME_FILE).
const EnvAPIKey = "DYNU_API_KEY"

// DefaultBaseURL is the Dynu API v2.
const DefaultBaseURL = "https://api.dynu.com/v2"

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads DYNU_ZONE, DYNU_TTL and DYNU_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "DYNU_")}
}

// DNSProvider publishes dns-persist-01 records at Dynu. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("dynu: %w (or set DYNU_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("dynu: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("dynu", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Api-Key": {cfg.APIKey}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("dynu", cfg.APIKey), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "dynu",
		Description: "Dynu API v2. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Dynu API v2, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
		}, libdnsadapter.CommonEnv("DYNU_", defaultTTL)...),
	}
}

// api is the Dynu API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID         int64  `json:"id,omitempty"`
	NodeName   string `json:"nodeName"`
	RecordType string `json:"recordType"`
	TextData   string `json:"textData"`
	TTL        int    `json:"ttl,omitempty"`
	State      bool   `json:"state"`
}

// recordsPath finds the domain's ID: GET /dns/getroot/{name}.
func (a api) recordsPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var root struct {
		ID         int64  `json:"id"`
		DomainName string `json:"domainName"`
	}

	if err := a.c.Call(ctx, http.MethodGet, "/dns/getroot/"+url.PathEscape(n.FQDN()), nil, &root); err != nil {
		return "", err
	}

	if !strings.EqualFold(root.DomainName, n.Zone) {
		return "", fmt.Errorf("%s belongs to domain %q at Dynu, not zone %s: set DYNU_ZONE", n.FQDN(), root.DomainName, n.Zone)
	}

	return "/dns/" + strconv.FormatInt(root.ID, 10) + "/record", nil
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var resp struct {
		Records []record `json:"dnsRecords"`
	}

	if err := a.c.Call(ctx, http.MethodGet, path, nil, &resp); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range resp.Records {
		if r.RecordType == "TXT" && strings.EqualFold(r.NodeName, n.Relative) {
			out = append(out, libdnsadapter.APIRecord{ID: path + "/" + strconv.FormatInt(r.ID, 10), Value: r.TextData})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{NodeName: n.Relative, RecordType: "TXT", TextData: value, TTL: ttl, State: true}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}
