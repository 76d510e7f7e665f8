// Package linode publishes dns-persist-01 records in Linode (Akamai) DNS
// Manager through the Linode API v4 (net/http only), configured with lego's
// LINODE_* environment variables.
//
// Each TXT value is a domain record of its own: publish creates one record
// (POST /v4/domains/{id}/records); unpublish lists the records and deletes,
// by ID, those whose target is exactly the value. Other records at the name
// are never sent, so no other writer's value can be lost.
package linode

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE), plus
// LINODE_ZONE.
const EnvToken = "LINODE_TOKEN"

// DefaultBaseURL is the Linode API.
const DefaultBaseURL = "https://api.linode.com"

const defaultTTL = 300 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Token   string // personal access token with domains:read_write
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads LINODE_ZONE, LINODE_TTL and LINODE_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "LINODE_")}
}

// DNSProvider publishes dns-persist-01 records in Linode DNS. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Token = env.GetOrFile(EnvToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("linode: %w (or set LINODE_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Token == "" {
		return nil, errors.New("linode: the API token is missing: set " + EnvToken)
	}

	c, err := cfg.APIClient("linode", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {"Bearer " + cfg.Token}})
	if err != nil {
		return nil, err
	}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("linode", cfg.Token), libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "linode",
		Description: "Linode API v4 domain records. Publish creates one TXT record; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (Linode API v4, net/http)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records whose target is our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvToken, Description: "Personal access token with Domains read/write", Required: true},
		}, libdnsadapter.CommonEnv("LINODE_", defaultTTL)...),
	}
}

// api is the Linode API v4 as a libdnsadapter.RecordAPI; record IDs are
// the record's path.
type api struct{ c *httpapi.Client }

type record struct {
	ID     int64  `json:"id,omitempty"`
	Type   string `json:"type"`
	Name   string `json:"name"`
	Target string `json:"target"`
	TTL    int    `json:"ttl_sec,omitempty"`
}

// domainPath finds the domain's ID: GET /v4/domains (every page).
func (a api) domainPath(ctx context.Context, n libdnsadapter.Name) (string, error) {
	for page := 1; page <= 100; page++ {
		var resp struct {
			Data []struct {
				ID     int64  `json:"id"`
				Domain string `json:"domain"`
			} `json:"data"`
			Pages int `json:"pages"`
		}

		if err := a.c.Call(ctx, http.MethodGet, "/v4/domains?page="+strconv.Itoa(page), nil, &resp); err != nil {
			return "", err
		}

		for _, d := range resp.Data {
			if d.Domain == n.Zone {
				return "/v4/domains/" + strconv.FormatInt(d.ID, 10) + "/records", nil
			}
		}

		if page >= resp.Pages {
			break
		}
	}

	return "", fmt.Errorf("domain %s not found in this Linode account", n.Zone)
}

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	path, err := a.domainPath(ctx, n)
	if err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for page := 1; page <= 100; page++ {
		var resp struct {
			Data  []record `json:"data"`
			Pages int      `json:"pages"`
		}

		if err := a.c.Call(ctx, http.MethodGet, path+"?page="+strconv.Itoa(page), nil, &resp); err != nil {
			return nil, err
		}

		for _, r := range resp.Data {
			if r.Type == "TXT" && r.Name == n.Relative {
				out = append(out, libdnsadapter.APIRecord{ID: path + "/" + strconv.FormatInt(r.ID, 10), Value: r.Target})
			}
		}

		if page >= resp.Pages {
			break
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	path, err := a.domainPath(ctx, n)
	if err != nil {
		return err
	}

	return a.c.Call(ctx, http.MethodPost, path, record{Type: "TXT", Name: n.Relative, Target: value, TTL: ttl}, nil)
}

func (a api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	return a.c.Call(ctx, http.MethodDelete, rec.ID, nil, nil)
}
