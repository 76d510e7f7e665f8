// Package ns1 publishes dns-persist-01 records in NS1 (IBM NS1 Connect)
// through its REST API v1 (net/http only), configured with lego's NS1_*
// environment variables.
//
// NS1 writes a record's answers whole: publish reads the TXT record at the
// name and writes it back with one more answer (PUT to create, POST to
// update); unpublish writes it back without the answers holding exactly the
// value (DELETE when none is left). Every write is read back and a value a
// concurrent writer dropped is written again.
package ns1

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// EnvAPIKey is lego's variable for the API key (also as NAME_FILE).
const EnvAPIKey = "NS1_API_KEY"

// DefaultBaseURL is the NS1 API.
const DefaultBaseURL = "https://api.nsone.net/v1"

const defaultTTL = 120

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	APIKey  string
	BaseURL string // DefaultBaseURL when empty
}

// NewDefaultConfig reads NS1_ZONE, NS1_TTL and NS1_HTTP_TIMEOUT.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "NS1_")}
}

// DNSProvider publishes dns-persist-01 records in NS1. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.APIKey = env.GetOrFile(EnvAPIKey)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("ns1: %w (or set NS1_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.APIKey == "" {
		return nil, errors.New("ns1: the API key is missing: set " + EnvAPIKey)
	}

	c, err := cfg.APIClient("ns1", "base URL", cfg.BaseURL, DefaultBaseURL, http.Header{"X-Nsone-Key": {cfg.APIKey}})
	if err != nil {
		return nil, err
	}

	c.ErrorOf = func(status int, body []byte) error { return httpapi.JSONError(status, body, "message") }

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("ns1", cfg.APIKey).WithReadBack(), libdnsadapter.RRSets(api{c}))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "ns1",
		Description: "NS1 REST API v1. Publish writes the TXT record's answers back with the value added; unpublish " +
			"without exactly that value; both read the record back and repair it.",
		Backing:    "own client (NS1 API v1, net/http)",
		Safety:     libdnsadapter.SafeReadBack + ": PUT/POST /v1/zones/{zone}/{name}/TXT replaces the record's whole answer list.",
		LongValues: libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAPIKey, Description: "API key", Required: true},
		}, libdnsadapter.CommonEnv("NS1_", defaultTTL)...),
	}
}

// api is the NS1 API as a libdnsadapter.RRSetAPI.
type api struct{ c *httpapi.Client }

type answer struct {
	Answer []string `json:"answer"`
}

type txtRecord struct {
	Zone    string   `json:"zone"`
	Domain  string   `json:"domain"`
	Type    string   `json:"type"`
	TTL     int      `json:"ttl,omitempty"`
	Answers []answer `json:"answers"`
}

func recordPath(n libdnsadapter.Name) string {
	return "/zones/" + url.PathEscape(n.Zone) + "/" + url.PathEscape(n.FQDN()) + "/TXT"
}

// GetTXT reads the record; a 404 is no record. An answer's strings are
// joined, as TXT character-strings are.
func (a api) GetTXT(ctx context.Context, n libdnsadapter.Name) ([]string, int, error) {
	var rec txtRecord

	err := a.c.Call(ctx, http.MethodGet, recordPath(n), nil, &rec)

	if httpapi.IsNotFound(err) {
		return nil, 0, nil
	}

	if err != nil {
		return nil, 0, err
	}

	out := make([]string, 0, len(rec.Answers))
	for _, ans := range rec.Answers {
		out = append(out, strings.Join(ans.Answer, ""))
	}

	return out, rec.TTL, nil
}

func (a api) PutTXT(ctx context.Context, n libdnsadapter.Name, values []string, ttl int, existed bool) error {
	if len(values) == 0 {
		return a.c.Call(ctx, http.MethodDelete, recordPath(n), nil, nil)
	}

	rec := txtRecord{Zone: n.Zone, Domain: n.FQDN(), Type: "TXT", TTL: ttl}
	for _, v := range values {
		rec.Answers = append(rec.Answers, answer{Answer: []string{v}})
	}

	method := http.MethodPut // create
	if existed {
		method = http.MethodPost // update
	}

	return a.c.Call(ctx, method, recordPath(n), rec, nil)
}
