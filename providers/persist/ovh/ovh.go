// Package ovh publishes dns-persist-01 records in OVHcloud DNS through the
// OVHcloud API v1 and its Go client (github.com/ovh/go-ovh, which signs the
// requests), configured with lego's OVH_* environment variables.
//
// Each TXT value is a zone record of its own: publish creates one record
// (POST /domain/zone/{zone}/record) and applies the zone (POST
// .../refresh); unpublish lists the TXT records at the name, deletes, by
// ID, those holding exactly the value and applies the zone.
package ovh

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/ovh/go-ovh/ovh"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvEndpoint          = "OVH_ENDPOINT"
	EnvApplicationKey    = "OVH_APPLICATION_KEY"
	EnvApplicationSecret = "OVH_APPLICATION_SECRET"
	EnvConsumerKey       = "OVH_CONSUMER_KEY"
	EnvClientID          = "OVH_CLIENT_ID"
	EnvClientSecret      = "OVH_CLIENT_SECRET"
	EnvAccessToken       = "OVH_ACCESS_TOKEN"
)

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider. Exactly one way to authenticate is used:
// the application key, secret and consumer key; else OAuth2 client
// credentials; else an access token.
type Config struct {
	libdnsadapter.Options

	// Endpoint is a go-ovh endpoint name (ovh-eu, ovh-ca, ovh-us,
	// kimsufi-eu, ...) or an API URL.
	Endpoint string

	ApplicationKey    string
	ApplicationSecret string
	ConsumerKey       string

	ClientID     string
	ClientSecret string

	AccessToken string
}

// NewDefaultConfig reads OVH_ZONE, OVH_TTL and OVH_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "OVH_")}
}

// DNSProvider publishes dns-persist-01 records in OVHcloud DNS. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Endpoint = env.GetOrFile(EnvEndpoint)
	cfg.ApplicationKey, cfg.ApplicationSecret = env.GetOrFile(EnvApplicationKey), env.GetOrFile(EnvApplicationSecret)
	cfg.ConsumerKey = env.GetOrFile(EnvConsumerKey)
	cfg.ClientID, cfg.ClientSecret = env.GetOrFile(EnvClientID), env.GetOrFile(EnvClientSecret)
	cfg.AccessToken = env.GetOrFile(EnvAccessToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("ovh: %w (or set OVH_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		cfg = &Config{}
	}

	var missing []string
	if cfg.Endpoint == "" {
		missing = append(missing, "the endpoint: set "+EnvEndpoint+" (ovh-eu, ovh-ca, ovh-us, ...)")
	}

	if cfg.ApplicationKey == "" && cfg.ClientID == "" && cfg.AccessToken == "" {
		missing = append(missing, "credentials: set "+EnvApplicationKey+", "+EnvApplicationSecret+" and "+
			EnvConsumerKey+"; or "+EnvClientID+" and "+EnvClientSecret+"; or "+EnvAccessToken)
	}

	if len(missing) > 0 {
		return nil, errors.New("ovh: missing " + strings.Join(missing, "; and "))
	}

	var (
		c   *ovh.Client
		err error
	)

	switch {
	case cfg.ApplicationKey != "" && cfg.ApplicationSecret != "" && cfg.ConsumerKey != "":
		c, err = ovh.NewClient(cfg.Endpoint, cfg.ApplicationKey, cfg.ApplicationSecret, cfg.ConsumerKey)
	case cfg.ClientID != "" && cfg.ClientSecret != "":
		c, err = ovh.NewOAuth2Client(cfg.Endpoint, cfg.ClientID, cfg.ClientSecret)
	case cfg.AccessToken != "":
		c, err = ovh.NewAccessTokenClient(cfg.Endpoint, cfg.AccessToken)
	default:
		return nil, errors.New("ovh: incomplete credentials: set all of " + EnvApplicationKey + ", " + EnvApplicationSecret +
			" and " + EnvConsumerKey + ", or both " + EnvClientID + " and " + EnvClientSecret)
	}

	if err != nil {
		return nil, fmt.Errorf("ovh: %w", err)
	}

	hc, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("ovh: %w", err)
	}

	c.Client, c.Timeout = hc, hc.Timeout

	ac := cfg.Config("ovh", cfg.ApplicationSecret, cfg.ConsumerKey, cfg.ClientSecret, cfg.AccessToken)

	return libdnsadapter.NewAs[DNSProvider](ac, libdnsadapter.Records(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "ovh",
		Description: "OVHcloud API v1 (go-ovh). Publish creates one TXT record and refreshes the zone; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "SDK github.com/ovh/go-ovh v1.9.0 (request signing, OAuth2)",
		Safety:      libdnsadapter.SafePerRecord + ": POST one record, DELETE by ID only the records holding our value, then POST .../refresh.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvEndpoint, Description: "Endpoint: ovh-eu, ovh-ca, ovh-us, kimsufi-eu, ... or an API URL", Required: true},
			{Name: EnvApplicationKey, Description: "Application key (or the OAuth2 client, or an access token, below)", Required: true},
			{Name: EnvApplicationSecret, Description: "Application secret", Required: true},
			{Name: EnvConsumerKey, Description: "Consumer key", Required: true},
			{Name: EnvClientID, Description: "OAuth2 client ID (instead of the application keys)"},
			{Name: EnvClientSecret, Description: "OAuth2 client secret"},
			{Name: EnvAccessToken, Description: "Access token (instead of the above)"},
		}, libdnsadapter.CommonEnv("OVH_", defaultTTL)...),
	}
}

// api is the OVHcloud API as a libdnsadapter.RecordAPI.
type api struct{ c *ovh.Client }

type record struct {
	ID        int64  `json:"id,omitempty"`
	FieldType string `json:"fieldType"`
	SubDomain string `json:"subDomain"`
	Target    string `json:"target"`
	TTL       int    `json:"ttl,omitempty"`
}

func zonePath(n libdnsadapter.Name) string { return "/domain/zone/" + url.PathEscape(n.Zone) }

func (a api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var ids []int64

	q := url.Values{"fieldType": {"TXT"}, "subDomain": {n.Relative}}
	if err := a.c.GetWithContext(ctx, zonePath(n)+"/record?"+q.Encode(), &ids); err != nil {
		return nil, err
	}

	out := make([]libdnsadapter.APIRecord, 0, len(ids))

	for _, id := range ids {
		var r record
		if err := a.c.GetWithContext(ctx, zonePath(n)+"/record/"+strconv.FormatInt(id, 10), &r); err != nil {
			return nil, err
		}

		if r.FieldType == "TXT" && r.SubDomain == n.Relative {
			out = append(out, libdnsadapter.APIRecord{ID: strconv.FormatInt(id, 10), Value: libdnsadapter.Unquote(r.Target)})
		}
	}

	return out, nil
}

func (a api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	if err := a.c.PostWithContext(ctx, zonePath(n)+"/record", record{FieldType: "TXT", SubDomain: n.Relative, Target: value, TTL: ttl}, nil); err != nil {
		return err
	}

	return a.refresh(ctx, n)
}

func (a api) DeleteTXT(ctx context.Context, n libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	err := a.c.DeleteWithContext(ctx, zonePath(n)+"/record/"+url.PathEscape(rec.ID), nil)

	var apiErr *ovh.APIError
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusNotFound {
		err = nil // deleted since it was listed
	}

	if err != nil {
		return err
	}

	return a.refresh(ctx, n)
}

// refresh applies the zone's pending changes: POST .../refresh.
func (a api) refresh(ctx context.Context, n libdnsadapter.Name) error {
	if err := a.c.PostWithContext(ctx, zonePath(n)+"/refresh", nil, nil); err != nil {
		return fmt.Errorf("refreshing the zone: %w", err)
	}

	return nil
}
