// Package mythicbeasts publishes dns-persist-01 records at Mythic Beasts
// through its DNS API v2 (net/http only; tokens from the OAuth 2.0 client
// credentials grant), configured with lego's MYTHICBEASTS_* environment
// variables.
//
// The API adds and removes single values: publish POSTs one record to
// /zones/{zone}/records/{host}/TXT; unpublish DELETEs there with
// data=<value>, which removes only the records holding exactly that value.
package mythicbeasts

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/libdns"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvUserName        = "MYTHICBEASTS_USERNAME"
	EnvPassword        = "MYTHICBEASTS_PASSWORD"
	EnvAPIEndpoint     = "MYTHICBEASTS_API_ENDPOINT"
	EnvAuthAPIEndpoint = "MYTHICBEASTS_AUTH_API_ENDPOINT"
)

// Default endpoints.
const (
	DefaultAPIEndpoint  = "https://api.mythic-beasts.com/dns/v2"
	DefaultAuthEndpoint = "https://auth.mythic-beasts.com/login"
)

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	UserName     string // the API key's ID
	Password     string // the API key's secret
	APIEndpoint  string // DefaultAPIEndpoint when empty
	AuthEndpoint string // DefaultAuthEndpoint when empty
}

// NewDefaultConfig reads MYTHICBEASTS_ZONE, _TTL, _HTTP_TIMEOUT,
// _API_ENDPOINT and _AUTH_API_ENDPOINT.
func NewDefaultConfig() *Config {
	return &Config{
		Options:      libdnsadapter.ReadOptions(defaultTTL, "MYTHICBEASTS_"),
		APIEndpoint:  env.GetOrFile(EnvAPIEndpoint),
		AuthEndpoint: env.GetOrFile(EnvAuthAPIEndpoint),
	}
}

// DNSProvider publishes dns-persist-01 records at Mythic Beasts. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.UserName, cfg.Password = env.GetOrFile(EnvUserName), env.GetOrFile(EnvPassword)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("mythicbeasts: %w (or set MYTHICBEASTS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.UserName == "" || cfg.Password == "" {
		return nil, errors.New("mythicbeasts: the API key is missing: set " + EnvUserName + " and " + EnvPassword)
	}

	api, err := cfg.APIClient("mythicbeasts", EnvAPIEndpoint, cfg.APIEndpoint, DefaultAPIEndpoint, nil)
	if err != nil {
		return nil, err
	}

	auth, err := httpapi.APIBaseURL("mythicbeasts", EnvAuthAPIEndpoint, cfg.AuthEndpoint, DefaultAuthEndpoint)
	if err != nil {
		return nil, err
	}

	cc := &clientcredentials.Config{ClientID: cfg.UserName, ClientSecret: cfg.Password, TokenURL: auth, AuthStyle: oauth2.AuthStyleInHeader}

	// Token requests run under the HTTP client's timeout (a TokenSource
	// takes no context of its own).
	tokens := cc.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, api.HTTP))
	api.HTTP = &http.Client{Timeout: api.HTTP.Timeout, Transport: &oauth2.Transport{Source: tokens, Base: api.HTTP.Transport}}
	api.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "error", "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("mythicbeasts", cfg.Password), provider{api})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "mythicbeasts",
		Description: "Mythic Beasts DNS API v2. Publish adds one TXT record; unpublish deletes the records with exactly that value (DELETE with data=).",
		Backing:     "own client (Mythic Beasts DNS API v2, net/http; OAuth 2.0 client credentials: golang.org/x/oauth2)",
		Safety:      libdnsadapter.SafePerValue + ": POST adds our record; DELETE ?data=<value> removes only records with exactly our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvUserName, Description: "API key ID", Required: true},
			{Name: EnvPassword, Description: "API key secret", Required: true},
			{Name: EnvAPIEndpoint, Description: "DNS API URL (default " + DefaultAPIEndpoint + ")"},
			{Name: EnvAuthAPIEndpoint, Description: "Token URL (default " + DefaultAuthEndpoint + ")"},
		}, libdnsadapter.CommonEnv("MYTHICBEASTS_", defaultTTL)...),
	}
}

// provider adds and removes single TXT values through the API.
type provider struct{ c *httpapi.Client }

type record struct {
	Host string `json:"host"`
	TTL  int    `json:"ttl"`
	Type string `json:"type"`
	Data string `json:"data"`
}

func setPath(zone, name string) string {
	host := libdns.RelativeName(name, zone)
	if host == "" {
		host = "@"
	}

	return "/zones/" + url.PathEscape(strings.TrimSuffix(zone, ".")) + "/records/" + url.PathEscape(host) + "/TXT"
}

func (p provider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()

		host := libdns.RelativeName(rr.Name, zone)
		if host == "" {
			host = "@"
		}

		body := map[string][]record{"records": {{Host: host, TTL: int(rr.TTL / time.Second), Type: "TXT", Data: rr.Data}}}
		if err := p.c.Call(ctx, http.MethodPost, setPath(zone, rr.Name), body, nil); err != nil {
			return nil, fmt.Errorf("adding the record: %w", err)
		}
	}

	return recs, nil
}

func (p provider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	for _, r := range recs {
		rr := r.RR()

		q := url.Values{"data": {rr.Data}}
		if err := p.c.Call(ctx, http.MethodDelete, setPath(zone, rr.Name)+"?"+q.Encode(), nil, nil); err != nil {
			return nil, fmt.Errorf("deleting the record: %w", err)
		}
	}

	return recs, nil
}
