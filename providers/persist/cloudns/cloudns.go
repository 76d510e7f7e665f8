// Package cloudns publishes dns-persist-01 records at ClouDNS through its
// HTTP API (net/http only), configured with lego's CLOUDNS_* environment
// variables.
//
// Each TXT value is a record of its own: publish adds one
// (add-record.json); unpublish lists the TXT records at the name
// (records.json) and deletes, by ID, those holding exactly the value
// (delete-record.json). The credentials travel in the POST body, never in
// a URL.
package cloudns

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
	EnvAuthID       = "CLOUDNS_AUTH_ID"
	EnvSubAuthID    = "CLOUDNS_SUB_AUTH_ID"
	EnvAuthPassword = "CLOUDNS_AUTH_PASSWORD"
)

// DefaultBaseURL is the ClouDNS DNS API.
const DefaultBaseURL = "https://api.cloudns.net/dns"

const defaultTTL = 60 // lego's default; the API takes 60, 300, 900, 1800, 3600, ...

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	AuthID       string // the API user's ID, or
	SubAuthID    string // a sub-user's ID
	AuthPassword string
	BaseURL      string // DefaultBaseURL when empty
}

// NewDefaultConfig reads CLOUDNS_ZONE, CLOUDNS_TTL and CLOUDNS_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "CLOUDNS_")}
}

// DNSProvider publishes dns-persist-01 records at ClouDNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.AuthID, cfg.SubAuthID = env.GetOrFile(EnvAuthID), env.GetOrFile(EnvSubAuthID)
	cfg.AuthPassword = env.GetOrFile(EnvAuthPassword)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("cloudns: %w (or set CLOUDNS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || (cfg.AuthID == "" && cfg.SubAuthID == "") || cfg.AuthPassword == "" {
		return nil, errors.New("cloudns: the credentials are missing: set " + EnvAuthID + " (or " + EnvSubAuthID + ") and " + EnvAuthPassword)
	}

	c, err := cfg.APIClient("cloudns", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	auth := url.Values{"auth-password": {cfg.AuthPassword}}
	if cfg.SubAuthID != "" {
		auth.Set("sub-auth-id", cfg.SubAuthID)
	} else {
		auth.Set("auth-id", cfg.AuthID)
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("cloudns", cfg.AuthPassword), libdnsadapter.Records(api{c: c, auth: auth}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "cloudns",
		Description: "ClouDNS HTTP API. Publish adds one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (ClouDNS API, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": add-record adds one record; delete-record removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAuthID, Description: "API user ID (or " + EnvSubAuthID + ")", Required: true},
			{Name: EnvSubAuthID, Description: "API sub-user ID, instead of " + EnvAuthID},
			{Name: EnvAuthPassword, Description: "API user password", Required: true},
		}, libdnsadapter.CommonEnv("CLOUDNS_", defaultTTL)...),
	}
}

// api is the ClouDNS API as a libdnsadapter.RecordAPI.
type api struct {
	c    *httpapi.Client
	auth url.Values
}

// call POSTs params and the credentials as a form to op; a "Failed"
// status is an error carrying its description.
func (a api) call(ctx context.Context, op string, params url.Values, out any) error {
	form := url.Values{}
	for k, v := range a.auth {
		form[k] = v
	}

	for k, v := range params {
		form[k] = v
	}

	body, err := httpapi.DoJSON(ctx, a.c.HTTP, httpapi.Request{
		Method: http.MethodPost, URL: a.c.BaseURL + "/" + op,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		Body:   []byte(form.Encode()),
	}, httpapi.BodyError)
	if err != nil {
		return err
	}

	var status struct {
		Status      string `json:"status"`
		Description string `json:"statusDescription"`
	}

	if json.Unmarshal(body, &status) == nil && status.Status == "Failed" {
		e := &httpapi.StatusError{Code: "Failed", Message: status.Description}
		if strings.Contains(strings.ToLower(status.Description), "authentication") {
			e.Status = http.StatusUnauthorized
		}

		return e
	}

	if out == nil {
		return nil
	}

	return json.Unmarshal(body, out)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	// An object by record ID, or [] when there is none.
	var raw json.RawMessage
	if err := a.call(ctx, "records.json", url.Values{"domain-name": {n.Zone}, "host": {n.Relative}, "type": {"TXT"}}, &raw); err != nil {
		return nil, err
	}

	var recs map[string]struct {
		ID     string `json:"id"`
		Type   string `json:"type"`
		Host   string `json:"host"`
		Record string `json:"record"`
	}

	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		return nil, nil
	}

	if err := json.Unmarshal(raw, &recs); err != nil {
		return nil, fmt.Errorf("reading the records: %w", err)
	}

	var out []libdnsadapter.APIRecord

	for _, r := range recs {
		if r.Type == "TXT" && r.Host == n.Relative {
			out = append(out, libdnsadapter.APIRecord{ID: r.ID, Value: r.Record})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	p := url.Values{"domain-name": {n.Zone}, "record-type": {"TXT"}, "host": {n.Relative}, "record": {value}}
	if ttl > 0 {
		p.Set("ttl", strconv.Itoa(ttl))
	}

	return a.call(ctx, "add-record.json", p, nil)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.call(ctx, "delete-record.json", url.Values{"domain-name": {n.Zone}, "record-id": {rec.ID}}, nil)
}
