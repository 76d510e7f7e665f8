// Package netcup publishes dns-persist-01 records at netcup through its
// CCP DNS API (JSON, net/http only), configured with lego's NETCUP_*
// environment variables.
//
// updateDnsRecords changes only the records it is given: publish sends one
// new TXT record; unpublish reads the zone's records (infoDnsRecords) and
// sends, with deleterecord set, exactly those at the name holding the value.
// Each operation logs in and out; netcup's TTL is the zone's, so the TTL
// setting is not used.
package netcup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvCustomerNumber = "NETCUP_CUSTOMER_NUMBER"
	EnvAPIKey         = "NETCUP_API_KEY"
	EnvAPIPassword    = "NETCUP_API_PASSWORD"
)

// DefaultBaseURL is the CCP API endpoint.
const DefaultBaseURL = "https://ccp.netcup.net/run/webservice/servers/endpoint.php?JSON"

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	CustomerNumber string
	APIKey         string
	APIPassword    string
	BaseURL        string // DefaultBaseURL when empty
}

// NewDefaultConfig reads NETCUP_ZONE and NETCUP_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(0, "NETCUP_")}
}

// DNSProvider publishes dns-persist-01 records at netcup. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.CustomerNumber, cfg.APIKey = env.GetOrFile(EnvCustomerNumber), env.GetOrFile(EnvAPIKey)
	cfg.APIPassword = env.GetOrFile(EnvAPIPassword)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("netcup: %w (or set NETCUP_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.CustomerNumber == "" || cfg.APIKey == "" || cfg.APIPassword == "" {
		return nil, errors.New("netcup: the credentials are missing: set " + EnvCustomerNumber + ", " + EnvAPIKey + " and " + EnvAPIPassword)
	}

	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}

	hc, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("netcup: %w", err)
	}

	ac := cfg.Config("netcup", cfg.APIKey, cfg.APIPassword)
	ac.TTL = 0

	return libdnsadapter.NewAs[DNSProvider](ac, libdnsadapter.Records(api{hc: hc, url: base, customer: cfg.CustomerNumber, key: cfg.APIKey, password: cfg.APIPassword}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	common := libdnsadapter.CommonEnv("NETCUP_", 0)

	return libdnsadapter.Description{
		Name:        "netcup",
		Description: "netcup CCP DNS API. Publish sends one new TXT record to updateDnsRecords; unpublish sends only the records with exactly that value, marked for deletion.",
		Backing:     "own client (netcup CCP API, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": updateDnsRecords changes only the records listed, so only ours travel.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvCustomerNumber, Description: "Customer number", Required: true},
			{Name: EnvAPIKey, Description: "API key", Required: true},
			{Name: EnvAPIPassword, Description: "API password", Required: true},
		}, common[0], common[2]), // netcup's TTL is the zone's
	}
}

// api is the netcup CCP API as a libdnsadapter.RecordAPI.
type api struct {
	hc                      *http.Client
	url                     string
	customer, key, password string
}

type record struct {
	ID           string `json:"id,omitempty"`
	Hostname     string `json:"hostname"`
	Type         string `json:"type"`
	Priority     string `json:"priority,omitempty"`
	Destination  string `json:"destination"`
	DeleteRecord bool   `json:"deleterecord"`
}

// response is the envelope of every answer; status "error" carries a
// statuscode (4xxx, 5xxx) and messages, with HTTP 200.
type response struct {
	Status       string          `json:"status"`
	StatusCode   int             `json:"statuscode"`
	ShortMessage string          `json:"shortmessage"`
	LongMessage  string          `json:"longmessage"`
	ResponseData json.RawMessage `json:"responsedata"`
}

func (a api) call(ctx context.Context, action string, param map[string]any) (*response, error) {
	param["customernumber"] = a.customer
	param["apikey"] = a.key

	body, err := json.Marshal(map[string]any{"action": action, "param": param})
	if err != nil {
		return nil, err
	}

	raw, err := httpapi.DoJSON(ctx, a.hc, httpapi.Request{Method: http.MethodPost, URL: a.url, Body: body}, httpapi.BodyError)
	if err != nil {
		return nil, err
	}

	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("reading the response of %s: %w", action, err)
	}

	if r.Status != "success" {
		e := &httpapi.StatusError{Code: fmt.Sprintf("%s %d", action, r.StatusCode), Message: strings.TrimSpace(r.ShortMessage + " " + r.LongMessage)}
		if r.StatusCode == 4013 { // login refused
			e.Status = http.StatusUnauthorized
		}

		return nil, e
	}

	return &r, nil
}

// session logs in, runs fn with the session ID and logs out.
func (a api) session(ctx context.Context, fn func(id string) error) error {
	r, err := a.call(ctx, "login", map[string]any{"apipassword": a.password})
	if err != nil {
		return fmt.Errorf("logging in: %w", err)
	}

	var login struct {
		SessionID string `json:"apisessionid"`
	}

	if err := json.Unmarshal(r.ResponseData, &login); err != nil || login.SessionID == "" {
		return errors.New("logging in: no session ID in the response")
	}

	err = fn(login.SessionID)

	_, _ = a.call(context.WithoutCancel(ctx), "logout", map[string]any{"apisessionid": login.SessionID})

	return err
}

func (a api) update(ctx context.Context, n libdnsadapter.Name, recs []record) error {
	return a.session(ctx, func(id string) error {
		_, err := a.call(ctx, "updateDnsRecords", map[string]any{
			"apisessionid": id, "domainname": n.Zone, "dnsrecordset": map[string]any{"dnsrecords": recs},
		})

		return err
	})
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var out []libdnsadapter.APIRecord

	err := a.session(ctx, func(id string) error {
		r, err := a.call(ctx, "infoDnsRecords", map[string]any{"apisessionid": id, "domainname": n.Zone})

		var se *httpapi.StatusError
		if errors.As(err, &se) && se.Code == "infoDnsRecords 5029" { // a zone without records
			return nil
		}

		if err != nil {
			return err
		}

		var data struct {
			Records []record `json:"dnsrecords"`
		}

		if err := json.Unmarshal(r.ResponseData, &data); err != nil {
			return fmt.Errorf("reading the records: %w", err)
		}

		for _, rec := range data.Records {
			if rec.Type == "TXT" && strings.EqualFold(rec.Hostname, n.RelativeOr("@")) {
				b, _ := json.Marshal(rec)
				out = append(out, libdnsadapter.APIRecord{ID: string(b), Value: rec.Destination})
			}
		}

		return nil
	})

	return out, err
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, _ int) error {
	return a.update(ctx, n, []record{{Hostname: n.RelativeOr("@"), Type: "TXT", Destination: value}})
}

// DeleteTXT sends the record as listed (its ID is the record's JSON),
// marked for deletion.
func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	var r record
	if err := json.Unmarshal([]byte(rec.ID), &r); err != nil {
		return err
	}

	r.DeleteRecord = true

	return a.update(ctx, n, []record{r})
}
