// Package infomaniak publishes dns-persist-01 records at Infomaniak through
// its API v1 (net/http only), configured with lego's INFOMANIAK_*
// environment variables.
//
// Each TXT value is a record of its own: publish creates one record (POST
// /1/domain/{id}/dns/record); unpublish lists the domain's records and
// deletes, by ID, the TXT records at the name holding exactly the value.
package infomaniak

import (
	"context"
	"encoding/json"
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

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAccessToken = "INFOMANIAK_ACCESS_TOKEN"
	EnvEndpoint    = "INFOMANIAK_ENDPOINT"
)

// DefaultBaseURL is the Infomaniak API.
const DefaultBaseURL = "https://api.infomaniak.com"

const defaultTTL = 7200 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AccessToken string
	BaseURL     string // DefaultBaseURL when empty
}

// NewDefaultConfig reads INFOMANIAK_ZONE, _TTL, _HTTP_TIMEOUT and _ENDPOINT.
func NewDefaultConfig() *Config {
	return &Config{
		Options: libdnsadapter.ReadOptions(defaultTTL, "INFOMANIAK_"),
		BaseURL: env.GetOrDefaultString(EnvEndpoint, DefaultBaseURL),
	}
}

// DNSProvider publishes dns-persist-01 records at Infomaniak. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AccessToken = env.GetOrFile(EnvAccessToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("infomaniak: %w (or set INFOMANIAK_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.AccessToken == "" {
		return nil, errors.New("infomaniak: the access token is missing: set " + EnvAccessToken)
	}

	c, err := cfg.APIClient("infomaniak", EnvEndpoint, cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Bearer " + cfg.AccessToken}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = apiError

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("infomaniak", cfg.AccessToken), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "infomaniak",
		Description: "Infomaniak API v1 DNS records. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Infomaniak API v1, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAccessToken, Description: "API token with the domain scope", Required: true},
			{Name: EnvEndpoint, Description: "API base URL (default " + DefaultBaseURL + ")"},
		}, libdnsadapter.CommonEnv("INFOMANIAK_", defaultTTL)...),
	}
}

// api is the Infomaniak API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID     any    `json:"id,omitempty"`
	Source string `json:"source"`
	Type   string `json:"type"`
	Target string `json:"target"`
	TTL    int    `json:"ttl,omitempty"`
}

// recordsPath finds the domain product: GET
// /1/product?service_name=domain&customer_name={zone}.
func (a api) recordsPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	var resp struct {
		Data []struct {
			ID           uint64 `json:"id"`
			CustomerName string `json:"customer_name"`
		} `json:"data"`
	}

	q := url.Values{"service_name": {"domain"}, "customer_name": {n.Zone}}
	if err := a.c.Call(ctx, http.MethodGet, "/1/product?"+q.Encode(), nil, &resp); err != nil {
		return "", err
	}

	for _, d := range resp.Data {
		if strings.EqualFold(d.CustomerName, n.Zone) {
			return "/1/domain/" + strconv.FormatUint(d.ID, 10) + "/dns/record", nil
		}
	}

	return "", fmt.Errorf("domain %s not found in this Infomaniak account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var resp struct {
		Data []record `json:"data"`
	}

	if err := a.c.Call(ctx, http.MethodGet, path, nil, &resp); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range resp.Data {
		if r.Type == "TXT" && strings.EqualFold(r.Source, n.RelativeOr(".")) {
			out = append(out, libdnsadapter.APIRecord{ID: path + "/" + fmt.Sprint(r.ID), Value: libdnsadapter.Unquote(r.Target)})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.recordsPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{Source: n.RelativeOr("."), Type: "TXT", Target: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}

// apiError reads {"result":"error","error":{"code","description"}}.
func apiError(status int, body []byte) error {
	var v struct {
		Error struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}

	if json.Unmarshal(body, &v) == nil && v.Error.Code != "" {
		return &httpapi.StatusError{Status: status, Code: v.Error.Code, Message: v.Error.Description}
	}

	return httpapi.BodyError(status, body)
}
