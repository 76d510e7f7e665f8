// Package civo publishes dns-persist-01 records in Civo DNS through the
// Civo API v2 (net/http only), configured with lego's CIVO_* environment
// variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /v2/dns/{id}/records); unpublish lists the domain's records and deletes,
// by ID, the TXT records at the name holding exactly the value.
package civo

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

// EnvToken is lego's variable for the API key (also as NAME_FILE).
const EnvToken = "CIVO_TOKEN"

// DefaultBaseURL is the Civo API v2.
const DefaultBaseURL = "https://api.civo.com/v2"

// region is sent with reads and deletes, as the API asks; DNS is the same
// in every region.
const region = "LON1"

const defaultTTL = 600 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Token   string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads CIVO_ZONE, CIVO_TTL and CIVO_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "CIVO_")}
}

// DNSProvider publishes dns-persist-01 records in Civo DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Token = env.GetOrFile(EnvToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("civo: %w (or set CIVO_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Token == "" {
		return nil, errors.New("civo: the API key is missing: set " + EnvToken)
	}

	c, err := cfg.APIClient("civo", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Bearer " + cfg.Token}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "reason", "code") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("civo", cfg.Token), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "civo",
		Description: "Civo API v2 DNS records. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Civo API v2, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvToken, Description: "API key", Required: true},
		}, libdnsadapter.CommonEnv("CIVO_", defaultTTL)...),
	}
}

// api is the Civo API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID       string `json:"id,omitempty"`
	DomainID string `json:"domain_id,omitempty"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Value    string `json:"value"`
	TTL      int    `json:"ttl,omitempty"`
}

var regionQuery = "?" + url.Values{"region": {region}}.Encode()

// recordsPath finds the domain's ID: GET /dns.
func (a api) recordsPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var domains []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}

	if err := a.c.Call(ctx, http.MethodGet, "/dns"+regionQuery, nil, &domains); err != nil {
		return "", err
	}

	for _, d := range domains {
		if strings.EqualFold(d.Name, n.Zone) {
			return "/dns/" + url.PathEscape(d.ID) + "/records", nil
		}
	}

	return "", fmt.Errorf("domain %s not found in this Civo account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var recs []record
	if err := a.c.Call(ctx, http.MethodGet, path+regionQuery, nil, &recs); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range recs {
		if strings.EqualFold(r.Type, "TXT") && strings.EqualFold(r.Name, n.RelativeOr("@")) {
			out = append(out, libdnsadapter.APIRecord{ID: path + "/" + url.PathEscape(r.ID), Value: r.Value})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{Name: n.RelativeOr("@"), Type: "TXT", Value: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID+regionQuery, nil, nil)
}
