// Package namesilo publishes dns-persist-01 records at NameSilo through its
// API (net/http only), configured with lego's NAMESILO_* environment
// variables.
//
// Each TXT value is a resource record of its own: publish adds one
// (dnsAddRecord); unpublish lists the zone (dnsListRecords) and deletes, by
// record ID, the TXT records at the name holding exactly the value
// (dnsDeleteRecord). The API takes its key in the query string: every error
// text is scrubbed of it.
package namesilo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvAPIKey is lego's variable for the API key (also as NAME_FILE).
const EnvAPIKey = "NAMESILO_API_KEY"

// DefaultBaseURL is the NameSilo API.
const DefaultBaseURL = "https://www.namesilo.com/api"

const defaultTTL = 3600 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads NAMESILO_ZONE, NAMESILO_TTL and NAMESILO_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "NAMESILO_")}
}

// DNSProvider publishes dns-persist-01 records at NameSilo. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("namesilo: %w (or set NAMESILO_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("namesilo: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("namesilo", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("namesilo", cfg.APIKey), libdnsadapter.Records(api{c: c, key: cfg.APIKey}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "namesilo",
		Description: "NameSilo API. Publish adds one TXT resource record; unpublish deletes, by record ID, the records with exactly that value.",
		Backing:     "own client (NameSilo API, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": dnsAddRecord adds one record; dnsDeleteRecord removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key (sent in the query string, as the API requires)", Required: true},
		}, libdnsadapter.CommonEnv("NAMESILO_", defaultTTL)...),
	}
}

// api is the NameSilo API as a libdnsadapter.RecordAPI.
type api struct {
	c   *httpapi.Client
	key string
}

type reply struct {
	Reply struct {
		Code    json.Number `json:"code"`
		Detail  string      `json:"detail"`
		Records []struct {
			ID    string `json:"record_id"`
			Type  string `json:"type"`
			Host  string `json:"host"`
			Value string `json:"value"`
		} `json:"resource_record"`
	} `json:"reply"`
}

// call runs operation op with params; a reply code other than 300 is an
// error carrying the API's detail.
func (a api) call(ctx context.Context, op string, params url.Values) (*reply, error) {
	params.Set("version", "1")
	params.Set("type", "json")
	params.Set("key", a.key)

	var r reply
	if err := a.c.Call(ctx, http.MethodGet, "/"+op+"?"+params.Encode(), nil, &r); err != nil {
		return nil, err
	}

	if code := r.Reply.Code.String(); code != "300" {
		e := &httpapi.StatusError{Code: "code " + code, Message: r.Reply.Detail}
		if code == "110" { // invalid API key
			e.Status = http.StatusUnauthorized
		}

		return nil, e
	}

	return &r, nil
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	r, err := a.call(ctx, "dnsListRecords", url.Values{"domain": {n.Zone}})
	if err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, rec := range r.Reply.Records {
		if rec.Type == "TXT" && rec.Host == n.FQDN() {
			out = append(out, libdnsadapter.APIRecord{ID: rec.ID, Value: rec.Value})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	p := url.Values{"domain": {n.Zone}, "rrtype": {"TXT"}, "rrhost": {n.Relative}, "rrvalue": {value}}
	if ttl > 0 {
		p.Set("rrttl", strconv.Itoa(ttl))
	}

	_, err := a.call(ctx, "dnsAddRecord", p)

	return err
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	_, err := a.call(ctx, "dnsDeleteRecord", url.Values{"domain": {n.Zone}, "rrid": {rec.ID}})

	return err
}
