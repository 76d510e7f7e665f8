// Package dnsimple publishes dns-persist-01 records at DNSimple through its
// API v2 (net/http only), configured with lego's DNSIMPLE_* environment
// variables.
//
// Each TXT value is a zone record of its own: publish creates one record
// (POST /v2/{account}/zones/{zone}/records); unpublish lists the TXT records
// at the name and deletes, by ID, those holding exactly the value. Values
// are sent in presentation format (quoted strings of at most 255 octets).
package dnsimple

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
	EnvOAuthToken = "DNSIMPLE_OAUTH_TOKEN"
	EnvBaseURL    = "DNSIMPLE_BASE_URL"
)

// DefaultBaseURL is DNSimple's production API.
const DefaultBaseURL = "https://api.dnsimple.com"

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AccessToken string // OAuth or account access token
	BaseURL     string // DefaultBaseURL when empty (the sandbox: https://api.sandbox.dnsimple.com)
}

// NewDefaultConfig reads DNSIMPLE_ZONE, _TTL, _HTTP_TIMEOUT and _BASE_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "DNSIMPLE_"),
		BaseURL: env.GetOrDefaultString(EnvBaseURL, DefaultBaseURL),
	}
}

// DNSProvider publishes dns-persist-01 records at DNSimple. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AccessToken = env.GetOrFile(EnvOAuthToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("dnsimple: %w (or set DNSIMPLE_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AccessToken == "" {
		return nil, errors.New("dnsimple: the access token is missing: set " + EnvOAuthToken)
	}

	c, err := cfg.APIClient("dnsimple", EnvBaseURL, cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Bearer " + cfg.AccessToken}})
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("dnsimple", cfg.AccessToken), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "dnsimple",
		Description: "DNSimple API v2 zone records. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (DNSimple API v2, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvOAuthToken, Description: "OAuth or account access token", Required: true},
			{Name: EnvBaseURL, Description: "API base URL (default " + DefaultBaseURL + ")"},
		}, libdnsadapter.CommonEnv("DNSIMPLE_", defaultTTL)...),
	}
}

// api is the DNSimple API v2 as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID      int64  `json:"id,omitempty"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
	TTL     int    `json:"ttl,omitempty"`
}

// recordsPath is /v2/{account}/zones/{zone}/records, the account read from
// GET /v2/whoami.
func (a api) recordsPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var who struct {
		Data struct {
			Account *struct {
				ID int64 `json:"id"`
			} `json:"account"`
		} `json:"data"`
	}

	if err := a.c.Call(ctx, http.MethodGet, "/v2/whoami", nil, &who); err != nil {
		return "", err
	}

	if who.Data.Account == nil {
		return "", errors.New("the token is a user token; use an account token")
	}

	return "/v2/" + strconv.FormatInt(who.Data.Account.ID, 10) + "/zones/" + url.PathEscape(n.Zone) + "/records", nil
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for page := 1; page <= 100; page++ {
		var resp struct {
			Data       []record `json:"data"`
			Pagination struct {
				TotalPages int `json:"total_pages"`
			} `json:"pagination"`
		}

		q := url.Values{"name": {n.Relative}, "type": {"TXT"}, "page": {strconv.Itoa(page)}}
		if err := a.c.Call(ctx, http.MethodGet, path+"?"+q.Encode(), nil, &resp); err != nil {
			return nil, err
		}

		for _, r := range resp.Data {
			if r.Type == "TXT" && r.Name == n.Relative {
				out = append(out, libdnsadapter.APIRecord{ID: path + "/" + strconv.FormatInt(r.ID, 10), Value: libdnsadapter.Unquote(r.Content)})
			}
		}

		if page >= resp.Pagination.TotalPages {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{Name: n.Relative, Type: "TXT", Content: libdnsadapter.Quote(value), TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}
