// Package hetzner publishes dns-persist-01 records through Hetzner's DNS
// Console API (dns.hetzner.com, "Auth-API-Token") with libdns/hetzner
// v1.0.0, configured with lego's HETZNER_API_KEY.
//
// That library speaks only the legacy DNS Console API, which lego reads from
// HETZNER_API_KEY (lego's HETZNER_API_TOKEN selects the newer Hetzner Cloud
// DNS API, which the library does not support: it is refused with a hint).
//
// Publish creates one TXT record. The library's own DeleteRecords deletes the
// first record with the same name and type whatever its value (another CA's
// record, possibly), so unpublish does not use it: it lists the zone with
// the library's client and deletes, by ID, only the TXT records at the name
// whose value is exactly the one given.
package hetzner

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/hetzner"
	"github.com/libdns/libdns"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvAPIKey   = "HETZNER_API_KEY"
	EnvAPIToken = "HETZNER_API_TOKEN" // lego's Cloud API token: not supported here
)

const defaultTTL = 60 // lego's minimum and default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey string // DNS Console API token
}

// NewDefaultConfig reads HETZNER_ZONE, HETZNER_TTL and HETZNER_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "HETZNER_")}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*libdnsadapter.Publisher, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if cfg.APIKey == "" && env.GetOrFile(EnvAPIToken) != "" {
		return nil, errors.New("hetzner: " + EnvAPIToken + " (Hetzner Cloud DNS API) is not supported by libdns/hetzner v1.0.0: " +
			"set " + EnvAPIKey + " to a DNS Console API token, or publish the record with another provider")
	}

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("hetzner: %w (or set HETZNER_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher. The library calls
// https://dns.hetzner.com only; it offers no other base URL.
func NewDNSProviderConfig(cfg *Config) (*libdnsadapter.Publisher, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("hetzner: the API key is missing: set " + EnvAPIKey)
	}

	p := exactDeleter{Provider: hetzner.New(cfg.APIKey), client: hetzner.NewClient(cfg.APIKey)}

	return libdnsadapter.New(cfg.Config("hetzner", cfg.APIKey), p)
}

// exactDeleter is libdns/hetzner with a DeleteRecords that matches values.
type exactDeleter struct {
	*hetzner.Provider

	client *hetzner.Client
}

// DeleteRecords deletes the zone's records that have the name, type and
// value of one of recs (TTL ignored); records with other values stay.
func (p exactDeleter) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	all, err := p.client.GetAllRecords(ctx, strings.TrimSuffix(zone, "."))
	if err != nil {
		return nil, err
	}

	var deleted []libdns.Record

	for _, r := range recs {
		want := r.RR()

		for _, have := range all {
			if have.Type != want.Type || !strings.EqualFold(have.Name, want.Name) || unquote(have.Value) != want.Data {
				continue
			}

			if err := p.client.DeleteRecord(ctx, have.ID); err != nil {
				return deleted, err
			}

			deleted = append(deleted, r)
		}
	}

	return deleted, nil
}

// unquote removes the quotes a TXT value may come back with.
func unquote(v string) string {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}

	return v
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "hetzner",
		Description: "Hetzner DNS Console API (dns.hetzner.com, libdns/hetzner v1.0.0). Publish creates one TXT record next " +
			"to the others; unpublish deletes only the record with exactly that value. The Hetzner Cloud DNS API " +
			"(HETZNER_API_TOKEN) is not supported.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "DNS Console API token (Auth-API-Token)", Required: true},
		}, libdnsadapter.CommonEnv("HETZNER_", defaultTTL)...),
	}
}
