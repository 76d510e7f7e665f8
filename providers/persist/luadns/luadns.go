// Package luadns publishes dns-persist-01 records at LuaDNS through its
// REST API v1 (net/http only), configured with lego's LUADNS_* environment
// variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /v1/zones/{id}/records); unpublish lists the zone's records and deletes,
// by ID, the TXT records at the name holding exactly the value.
package luadns

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIUsername = "LUADNS_API_USERNAME"
	EnvAPIToken    = "LUADNS_API_TOKEN"
)

// DefaultBaseURL is the LuaDNS API.
const DefaultBaseURL = "https://api.luadns.com"

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Username string // the account's email
	APIToken string
	BaseURL  string // DefaultBaseURL when empty
}

// NewDefaultConfig reads LUADNS_ZONE, LUADNS_TTL and LUADNS_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "LUADNS_")}
}

// DNSProvider publishes dns-persist-01 records at LuaDNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Username, cfg.APIToken = env.GetOrFile(EnvAPIUsername), env.GetOrFile(EnvAPIToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("luadns: %w (or set LUADNS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Username == "" || cfg.APIToken == "" {
		return nil, errors.New("luadns: the credentials are missing: set " + EnvAPIUsername + " and " + EnvAPIToken)
	}

	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(cfg.Username, cfg.APIToken)

	c, err := cfg.APIClient("luadns", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": r.Header.Values("Authorization")})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("luadns", cfg.APIToken), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "luadns",
		Description: "LuaDNS REST API v1. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (LuaDNS API v1, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIUsername, Description: "Account email", Required: true},
			{Name: EnvAPIToken, Description: "API token", Required: true},
		}, libdnsadapter.CommonEnv("LUADNS_", defaultTTL)...),
	}
}

// api is the LuaDNS API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID      int64  `json:"id,omitempty"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
	TTL     int    `json:"ttl,omitempty"`
}

// recordsPath finds the zone's ID: GET /v1/zones.
func (a api) recordsPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var zones []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}

	if err := a.c.Call(ctx, http.MethodGet, "/v1/zones", nil, &zones); err != nil {
		return "", err
	}

	for _, z := range zones {
		if strings.EqualFold(strings.TrimSuffix(z.Name, "."), n.Zone) {
			return "/v1/zones/" + strconv.FormatInt(z.ID, 10) + "/records", nil
		}
	}

	return "", fmt.Errorf("zone %s not found in this LuaDNS account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var recs []record
	if err := a.c.Call(ctx, http.MethodGet, path, nil, &recs); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range recs {
		if r.Type == "TXT" && strings.EqualFold(r.Name, n.FQDN()+".") {
			out = append(out, libdnsadapter.APIRecord{ID: path + "/" + strconv.FormatInt(r.ID, 10), Value: r.Content})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{Name: n.FQDN() + ".", Type: "TXT", Content: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}
