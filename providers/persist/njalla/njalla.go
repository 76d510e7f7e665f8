// Package njalla publishes dns-persist-01 records at Njalla through its
// JSON-RPC API (net/http only), configured with lego's NJALLA_* environment
// variables.
//
// Each TXT value is a record of its own: publish runs add-record with one
// value; unpublish runs list-records and remove-record for exactly the
// records at the name holding the value.
package njalla

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvToken is lego's variable for the API token (also as NAME_FILE).
const EnvToken = "NJALLA_TOKEN"

// DefaultBaseURL is the Njalla API endpoint.
const DefaultBaseURL = "https://njal.la/api/1"

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Token   string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads NJALLA_ZONE, NJALLA_TTL and NJALLA_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "NJALLA_")}
}

// DNSProvider publishes dns-persist-01 records at Njalla. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Token = env.GetOrFile(EnvToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("njalla: %w (or set NJALLA_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Token == "" {
		return nil, errors.New("njalla: the API token is missing: set " + EnvToken)
	}

	c, err := cfg.APIClient("njalla", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Njalla " + cfg.Token}})
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("njalla", cfg.Token), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "njalla",
		Description: "Njalla JSON-RPC API. Publish runs add-record with one TXT value; unpublish removes, by ID, the records with exactly that value.",
		Backing:     "own client (Njalla JSON-RPC API, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": add-record adds one record; remove-record removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvToken, Description: "API token", Required: true},
		}, libdnsadapter.CommonEnv("NJALLA_", defaultTTL)...),
	}
}

// api is the Njalla JSON-RPC API as a libdnsadapter.RecordAPI.
type api struct{ c *httpapi.Client }

type record struct {
	ID      any    `json:"id,omitempty"` // a number or a string, depending on the method
	Domain  string `json:"domain,omitempty"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type,omitempty"`
	Content string `json:"content,omitempty"`
	TTL     int    `json:"ttl,omitempty"`
}

// call runs method with params; an error member is an error carrying its
// code and message.
func (a api) call(ctx context.Context, method string, params, result any) error {
	var resp struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result json.RawMessage `json:"result"`
	}

	if err := a.c.Call(ctx, http.MethodPost, "/", map[string]any{"method": method, "params": params}, &resp); err != nil {
		return err
	}

	if resp.Error != nil {
		e := &httpapi.StatusError{Code: method + " error " + strconv.Itoa(resp.Error.Code), Message: resp.Error.Message}
		if resp.Error.Code == http.StatusForbidden || resp.Error.Code == http.StatusUnauthorized {
			e.Status = resp.Error.Code
		}

		return e
	}

	if result == nil || len(resp.Result) == 0 {
		return nil
	}

	return json.Unmarshal(resp.Result, result)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var res struct {
		Records []record `json:"records"`
	}

	if err := a.call(ctx, "list-records", record{Domain: n.Zone}, &res); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range res.Records {
		if r.Type == "TXT" && r.Name == n.RelativeOr("@") {
			out = append(out, libdnsadapter.APIRecord{ID: fmt.Sprint(r.ID), Value: r.Content})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	return a.call(ctx, "add-record", record{Domain: n.Zone, Name: n.RelativeOr("@"), Type: "TXT", Content: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.call(ctx, "remove-record", record{Domain: n.Zone, ID: rec.ID}, nil)
}
