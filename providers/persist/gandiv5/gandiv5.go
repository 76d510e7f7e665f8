// Package gandiv5 publishes dns-persist-01 records in Gandi LiveDNS through
// the Gandi API v5 (net/http only), configured with lego's GANDIV5_*
// environment variables.
//
// LiveDNS writes a record set whole: publish reads the TXT set at the name
// and PUTs it back with the value added; unpublish PUTs it back without
// exactly the value (DELETE when it was the only one). Every write is read
// back and a value a concurrent writer's PUT dropped is written again.
// Values go in presentation format, split into quoted strings of at most
// 255 octets.
package gandiv5

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
	EnvPersonalAccessToken = "GANDIV5_PERSONAL_ACCESS_TOKEN"
	EnvAPIKey              = "GANDIV5_API_KEY" // deprecated by Gandi; used when no token is set
)

// DefaultBaseURL is the LiveDNS API.
const DefaultBaseURL = "https://api.gandi.net/v5/livedns"

const defaultTTL = 300 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	PersonalAccessToken string
	APIKey              string // used only when PersonalAccessToken is empty
	BaseURL             string // DefaultBaseURL when empty
}

// NewDefaultConfig reads GANDIV5_ZONE, GANDIV5_TTL and GANDIV5_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "GANDIV5_")}
}

// DNSProvider publishes dns-persist-01 records in Gandi LiveDNS. It
// implements persist.Publisher and persist.Unpublisher (see
// libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.PersonalAccessToken, cfg.APIKey = env.GetOrFile(EnvPersonalAccessToken), env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("gandiv5: %w (or set GANDIV5_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || (cfg.PersonalAccessToken == "" && cfg.APIKey == "") {
		return nil, errors.New("gandiv5: no credentials: set " + EnvPersonalAccessToken + " (or the deprecated " + EnvAPIKey + ")")
	}

	auth := "Bearer " + cfg.PersonalAccessToken
	if cfg.PersonalAccessToken == "" {
		auth = "Apikey " + cfg.APIKey
	}

	c, err := cfg.APIClient("gandiv5", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"Authorization": {auth}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message", "cause") }

	ac := cfg.Config("gandiv5", cfg.PersonalAccessToken, cfg.APIKey).WithReadBack()

	return libdnsadapter.NewAs[DNSProvider](ac, libdnsadapter.RRSets(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "gandiv5",
		Description: "Gandi LiveDNS API v5. Publish PUTs the TXT set at the name back with the value added; unpublish " +
			"without exactly that value; both read the set back and repair it.",
		Backing:    "own client (Gandi LiveDNS API v5, net/http)",
		Safety:     libdnsadapter.SafeReadBack + ": PUT /domains/{zone}/records/{name}/TXT replaces the whole set.",
		LongValues: libdnsadapter.LongSplit,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvPersonalAccessToken, Description: "Personal access token with the LiveDNS scope", Required: true},
			{Name: EnvAPIKey, Description: "Deprecated API key, used when no personal access token is set"},
		}, libdnsadapter.CommonEnv("GANDIV5_", defaultTTL)...),
	}
}

// api is the LiveDNS API as a libdnsadapter.RRSetAPI.
type api struct{ c *httpapi.Client }

type rrset struct {
	TTL    int      `json:"rrset_ttl,omitempty"`
	Values []string `json:"rrset_values"`
}

func setPath(n libdnsadapter.Name) string {
	return "/domains/" + url.PathEscape(n.Zone) + "/records/" + url.PathEscape(n.RelativeOr("@")) + "/TXT"
}

// GetTXT reads the set; a 404 is no set.
func (a api) GetTXT(ctx context.Context, n libdnsadapter.Name) ([]string, int, error) {
	var set rrset

	err := a.c.Call(ctx, http.MethodGet, setPath(n), nil, &set)

	if httpapi.IsNotFound(err) {
		return nil, 0, nil
	}

	if err != nil {
		return nil, 0, err
	}

	out := make([]string, 0, len(set.Values))
	for _, v := range set.Values {
		out = append(out, libdnsadapter.Unquote(v))
	}

	return out, set.TTL, nil
}

func (a api) PutTXT(ctx context.Context, n libdnsadapter.Name, values []string, ttl int, _ bool) error {
	if len(values) == 0 {
		return a.c.Call(ctx, http.MethodDelete, setPath(n), nil, nil)
	}

	set := rrset{TTL: ttl}
	for _, v := range values {
		set.Values = append(set.Values, libdnsadapter.Quote(v))
	}

	return a.c.Call(ctx, http.MethodPut, setPath(n), set, nil)
}
