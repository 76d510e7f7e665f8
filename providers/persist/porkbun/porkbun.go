// Package porkbun publishes dns-persist-01 records at Porkbun through its
// API v3 (net/http only), configured with lego's PORKBUN_* environment
// variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /dns/create/{zone}); unpublish reads the TXT records at the name (POST
// /dns/retrieveByNameType) and deletes, by ID, those holding exactly the
// value. The keys travel in the JSON body of every request, as the API
// wants them.
package porkbun

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIKey       = "PORKBUN_API_KEY"
	EnvSecretAPIKey = "PORKBUN_SECRET_API_KEY"
)

// DefaultBaseURL is the Porkbun API v3.
const DefaultBaseURL = "https://api.porkbun.com/api/json/v3"

const defaultTTL = 600 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey       string
	SecretAPIKey string
	BaseURL      string // DefaultBaseURL when empty
}

// NewDefaultConfig reads PORKBUN_ZONE, PORKBUN_TTL and PORKBUN_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "PORKBUN_")}
}

// DNSProvider publishes dns-persist-01 records at Porkbun. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey, cfg.SecretAPIKey = env.GetOrFile(EnvAPIKey), env.GetOrFile(EnvSecretAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("porkbun: %w (or set PORKBUN_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" || cfg.SecretAPIKey == "" {
		return nil, errors.New("porkbun: the API keys are missing: set " + EnvAPIKey + " and " + EnvSecretAPIKey)
	}

	c, err := cfg.APIClient("porkbun", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	c.ErrorOf = apiError

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("porkbun", cfg.APIKey, cfg.SecretAPIKey),
		libdnsadapter.Records(api{c: c, key: cfg.APIKey, secret: cfg.SecretAPIKey}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "porkbun",
		Description: "Porkbun API v3. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Porkbun API v3, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": /dns/create adds one record; /dns/delete/{id} removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
			{Name: EnvSecretAPIKey, Description: "Secret API key", Required: true},
		}, libdnsadapter.CommonEnv("PORKBUN_", defaultTTL)...),
	}
}

// api is the Porkbun API v3 as a libdnsadapter.RecordAPI.
type api struct {
	c           *httpapi.Client
	key, secret string
}

type request struct {
	APIKey       string `json:"apikey"`
	SecretAPIKey string `json:"secretapikey"`
	Name         string `json:"name,omitempty"`
	Type         string `json:"type,omitempty"`
	Content      string `json:"content,omitempty"`
	TTL          string `json:"ttl,omitempty"`
}

type record struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
}

func (a api) auth() request { return request{APIKey: a.key, SecretAPIKey: a.secret} }

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var resp struct {
		Records []record `json:"records"`
	}

	path := "/dns/retrieveByNameType/" + url.PathEscape(n.Zone) + "/TXT/" + url.PathEscape(n.Relative)
	if err := a.c.Call(ctx, http.MethodPost, path, a.auth(), &resp); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range resp.Records {
		if r.Type == "TXT" && r.Name == n.FQDN() {
			out = append(out, libdnsadapter.APIRecord{ID: r.ID, Value: r.Content})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	req := a.auth()
	req.Name, req.Type, req.Content = n.Relative, "TXT", value

	if ttl > 0 {
		req.TTL = strconv.Itoa(ttl)
	}

	return a.c.Call(ctx, http.MethodPost, "/dns/create/"+url.PathEscape(n.Zone), req, nil)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodPost, "/dns/delete/"+url.PathEscape(n.Zone)+"/"+url.PathEscape(rec.ID), a.auth(), nil)
}

// apiError reads {"status":"ERROR","message":...}.
func apiError(status int, body []byte) error {
	return httpapi.JSONError(status, body, "message")
}
