// Package ionos publishes dns-persist-01 records in IONOS DNS through the
// IONOS Hosting DNS API v1 (net/http only), configured with lego's IONOS_*
// environment variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /v1/zones/{id}/records, not lego's PATCH of the zone, which replaces the
// records of that name and type); unpublish reads the TXT records at the
// name and deletes, by ID, those holding exactly the value.
package ionos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvAPIKey is lego's variable for the API key, "prefix.secret" (also as
// NAME_FILE).
const EnvAPIKey = "IONOS_API_KEY"

// DefaultBaseURL is the IONOS Hosting DNS API.
const DefaultBaseURL = "https://api.hosting.ionos.com/dns"

const defaultTTL = 300 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads IONOS_ZONE, IONOS_TTL and IONOS_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "IONOS_")}
}

// DNSProvider publishes dns-persist-01 records in IONOS DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("ionos: %w (or set IONOS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("ionos: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("ionos", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"X-API-Key": {cfg.APIKey}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = apiError

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("ionos", cfg.APIKey), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "ionos",
		Description: "IONOS Hosting DNS API v1. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (IONOS Hosting DNS API v1, net/http)",
		Safety: libdnsadapter.SafePerRecord + ": POST /v1/zones/{id}/records adds one record (lego's PATCH, which replaces the " +
			"name's records, is not used); DELETE by ID only the records holding our value.",
		LongValues: libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key, prefix.secret", Required: true},
		}, libdnsadapter.CommonEnv("IONOS_", defaultTTL)...),
	}
}

// api is the IONOS DNS API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID      string `json:"id,omitempty"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
	TTL     int    `json:"ttl,omitempty"`
}

// zonePath finds the zone's ID: GET /v1/zones.
func (a api) zonePath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var zones []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}

	if err := a.c.Call(ctx, http.MethodGet, "/v1/zones", nil, &zones); err != nil {
		return "", err
	}

	for _, z := range zones {
		if strings.EqualFold(z.Name, n.Zone) {
			return "/v1/zones/" + url.PathEscape(z.ID), nil
		}
	}

	return "", fmt.Errorf("zone %s not found in this IONOS account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.zonePath(ctx, n)
	if err != nil {
		return nil, err
	}

	var zone struct {
		Records []record `json:"records"`
	}

	q := url.Values{"recordName": {n.FQDN()}, "recordType": {"TXT"}}
	if err := a.c.Call(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &zone); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range zone.Records {
		if r.Type == "TXT" && strings.EqualFold(r.Name, n.FQDN()) {
			out = append(out, libdnsadapter.APIRecord{ID: path + "/records/" + url.PathEscape(r.ID), Value: libdnsadapter.Unquote(r.Content)})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.zonePath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path+"/records", []record{{Name: n.FQDN(), Type: "TXT", Content: value, TTL: ttl}}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}

// apiError reads the API's error list, [{"code","message"}].
func apiError(status int, body []byte) error {
	var list []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}

	if json.Unmarshal(body, &list) == nil && len(list) > 0 {
		return &httpapi.StatusError{Status: status, Code: list[0].Code, Message: list[0].Message}
	}

	return httpapi.BodyError(status, body)
}
