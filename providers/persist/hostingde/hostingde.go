// Package hostingde publishes dns-persist-01 records at hosting.de through
// its DNS API v1 (JSON, net/http only), configured with lego's
// HOSTINGDE_* environment variables.
//
// zoneUpdate takes the records to add and the records to delete: publish
// sends one record to add; unpublish one to delete, matched by name, type
// and exactly our content. The zone's own settings travel with each update
// as zoneConfigsFind returned them just before.
package hostingde

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIKey   = "HOSTINGDE_API_KEY"
	EnvZoneName = "HOSTINGDE_ZONE_NAME"
)

// DefaultBaseURL is the hosting.de DNS API.
const DefaultBaseURL = "https://secure.hosting.de/api/dns/v1/json"

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads HOSTINGDE_ZONE (else lego's HOSTINGDE_ZONE_NAME),
// HOSTINGDE_TTL and HOSTINGDE_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	cfg := &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "HOSTINGDE_")}
	if cfg.Zone == "" {
		cfg.Zone = env.GetOrFile(EnvZoneName)
	}

	return cfg
}

// DNSProvider publishes dns-persist-01 records at hosting.de. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("hostingde: %w (or set %s)", err, EnvZoneName)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("hostingde: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("hostingde", "base URL", cfg.BaseURL, DefaultBaseURL, nil)
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("hostingde", cfg.APIKey), provider{c: c, key: cfg.APIKey})
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "hostingde",
		Description: "hosting.de DNS API v1. Publish runs zoneUpdate with one record to add; unpublish with the record of exactly that value to delete.",
		Backing:     "own client (hosting.de DNS API v1, net/http)",
		Safety: libdnsadapter.SafePerValue + ": zoneUpdate's recordsToAdd / recordsToDelete name only our record. The zone's " +
			"settings (SOA values, ...) are sent back as read just before, so a change of those settings at that moment would be undone.",
		LongValues: libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
			{Name: EnvZoneName, Description: "Zone name (lego's; HOSTINGDE_ZONE also works)"},
		}, libdnsadapter.CommonEnv("HOSTINGDE_", defaultTTL)...),
	}
}

// provider adds and deletes single TXT records with zoneUpdate.
type provider struct {
	c   *httpapi.Client
	key string
}

type record struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Content string `json:"content"`
	TTL     int    `json:"ttl,omitempty"`
}

// call POSTs req (with the auth token) to method; a status other than
// success or pending is an error carrying the first error's code and text.
func (p provider) call(ctx context.Context, method string, req map[string]any) (json.RawMessage, error) {
	req["authToken"] = p.key

	var resp struct {
		Status string `json:"status"`
		Errors []struct {
			Code int    `json:"code"`
			Text string `json:"text"`
		} `json:"errors"`
		Response json.RawMessage `json:"response"`
	}

	if err := p.c.Call(ctx, http.MethodPost, "/"+method, req, &resp); err != nil {
		return nil, err
	}

	if resp.Status != "success" && resp.Status != "pending" {
		e := &httpapi.StatusError{Code: method + " " + resp.Status, Message: httpapi.NoErrorDetails}
		if len(resp.Errors) > 0 {
			e.Code, e.Message = fmt.Sprintf("%s %d", method, resp.Errors[0].Code), resp.Errors[0].Text
			if resp.Errors[0].Code == 10205 || strings.Contains(strings.ToLower(e.Message), "authentication") {
				e.Status = http.StatusUnauthorized
			}
		}

		return nil, e
	}

	return resp.Response, nil
}

// zoneConfig returns the zone's configuration as zoneConfigsFind sends it.
func (p provider) zoneConfig(ctx context.Context, zone string) (json.RawMessage, error) {
	raw, err := p.call(ctx, "zoneConfigsFind", map[string]any{
		"filter": map[string]string{"field": "zoneName", "value": zone}, "limit": 1, "page": 1,
	})
	if err != nil {
		return nil, err
	}

	var found struct {
		Data []json.RawMessage `json:"data"`
	}

	if err := json.Unmarshal(raw, &found); err != nil || len(found.Data) == 0 {
		return nil, fmt.Errorf("zone %s not found in this hosting.de account", zone)
	}

	return found.Data[0], nil
}

func (p provider) update(ctx context.Context, zone string, key string, recs []libdns.Record) error {
	z := strings.TrimSuffix(zone, ".")

	cfg, err := p.zoneConfig(ctx, z)
	if err != nil {
		return err
	}

	var list []record

	for _, r := range recs {
		rr := r.RR()
		list = append(list, record{Name: strings.TrimSuffix(libdns.AbsoluteName(rr.Name, zone), "."), Type: "TXT",
			Content: libdnsadapter.Quote(rr.Data), TTL: int(rr.TTL / time.Second)})
	}

	_, err = p.call(ctx, "zoneUpdate", map[string]any{"zoneConfig": cfg, key: list})

	return err
}

func (p provider) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	return recs, p.update(ctx, zone, "recordsToAdd", recs)
}

func (p provider) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	return recs, p.update(ctx, zone, "recordsToDelete", recs)
}
