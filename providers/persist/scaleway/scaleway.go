// Package scaleway publishes dns-persist-01 records in Scaleway Domains and
// DNS through the Domain API v2beta1 (net/http only), configured with
// lego's SCW_SECRET_KEY (or SCALEWAY_API_TOKEN).
//
// The API changes a zone by a list of changes: publish sends one "add" of
// one TXT record; unpublish lists the TXT records at the name and sends one
// "delete" by ID for each record holding exactly the value. Other records
// are never part of a change.
package scaleway

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

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvSecretKey = "SCW_SECRET_KEY"
	EnvAPIToken  = "SCALEWAY_API_TOKEN" // lego's older name, read when SCW_SECRET_KEY is unset
)

// DefaultBaseURL is the Scaleway API.
const DefaultBaseURL = "https://api.scaleway.com"

const defaultTTL = 60 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	SecretKey string
	BaseURL   string // DefaultBaseURL when empty
}

// NewDefaultConfig reads SCALEWAY_ZONE, SCALEWAY_TTL (or SCW_TTL) and
// SCALEWAY_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "SCALEWAY_", "SCW_")}
}

// DNSProvider publishes dns-persist-01 records in Scaleway DNS. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.SecretKey = env.GetOneWithFallback(EnvSecretKey, "", env.ParseString, EnvAPIToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("scaleway: %w (or set SCALEWAY_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.SecretKey == "" {
		return nil, errors.New("scaleway: the secret key is missing: set " + EnvSecretKey + " (or " + EnvAPIToken + ")")
	}

	c, err := cfg.APIClient("scaleway", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"X-Auth-Token": {cfg.SecretKey}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("scaleway", cfg.SecretKey), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "scaleway",
		Description: "Scaleway Domain API v2beta1. Publish sends one add change of one TXT record; unpublish, one delete change per record with exactly that value.",
		Backing:     "own client (Scaleway Domain API v2beta1, net/http)",
		Safety:      libdnsadapter.SafePerValue + ": PATCH .../records with an add of our record, or a delete by the ID of a record holding our value.",
		LongValues:  libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvSecretKey, Description: "API secret key (lego's older name: SCALEWAY_API_TOKEN)", Required: true},
		}, libdnsadapter.CommonEnv("SCALEWAY_", defaultTTL)...),
	}
}

// api is the Scaleway Domain API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	Type string `json:"type"`
	Data string `json:"data"`
	TTL  int    `json:"ttl,omitempty"`
}

type change struct {
	Add *struct {
		Records []record `json:"records"`
	} `json:"add,omitempty"`
	Delete *struct {
		ID string `json:"id"`
	} `json:"delete,omitempty"`
}

func recordsPath(n libdnsadapter.Name) string {
	return "/domain/v2beta1/dns-zones/" + url.PathEscape(n.Zone) + "/records"
}

func (a api) patch(ctx context.Context, n libdnsadapter.Name, c change) error {
	return a.c.Call(ctx, http.MethodPatch, recordsPath(n), map[string]any{"changes": []change{c}, "return_all_records": false}, nil)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var out []libdnsadapter.APIRecord

	for page := 1; page <= 100; page++ {
		var resp struct {
			Records    []record `json:"records"`
			TotalCount int      `json:"total_count"`
		}

		q := url.Values{"name": {n.Relative}, "type": {"TXT"}, "page": {fmt.Sprint(page)}, "page_size": {"100"}}
		if err := a.c.Call(ctx, http.MethodGet, recordsPath(n)+"?"+q.Encode(), nil, &resp); err != nil {
			return nil, err
		}

		for _, r := range resp.Records {
			if r.Type == "TXT" && r.Name == n.Relative {
				out = append(out, libdnsadapter.APIRecord{ID: r.ID, Value: libdnsadapter.Unquote(r.Data)})
			}
		}

		if len(resp.Records) == 0 || page*100 >= resp.TotalCount {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	var c change

	c.Add = &struct {
		Records []record `json:"records"`
	}{Records: []record{{Name: n.Relative, Type: "TXT", Data: libdnsadapter.Quote(value), TTL: ttl}}}

	return a.patch(ctx, n, c)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	var c change

	c.Delete = &struct {
		ID string `json:"id"`
	}{ID: rec.ID}

	return a.patch(ctx, n, c)
}
