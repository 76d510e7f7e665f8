// Package gcloud publishes dns-persist-01 records in Google Cloud
// DNS, configured with lego's GCE_* environment variables. Its name is
// lego's: "gcloud".
//
// It talks to the Cloud DNS v1 API through Google's client
// (google.golang.org/api/dns/v1, with tokens from golang.org/x/oauth2/google),
// whose endpoint can be another base URL (GCE_API_URL). Cloud DNS keeps all values of
// a name and type in one record set, and changes it only through a change
// that deletes the set as it is and adds the new one, atomically and only
// if the deletion still matches. Publish reads the TXT set at the name and
// applies such a change with the value added; unpublish with exactly that
// value removed (or only the deletion when it was the only value). When
// another writer changed the set in between, Cloud DNS refuses the change
// (412 or 409), and it is read and tried once more, so no concurrent value
// is lost. The TTL of an existing set is kept; values over 255 octets are
// written as several quoted character-strings in one record (RFC 1035
// §3.3.14).
//
// The managed zone is the one named by GCE_ZONE_ID, or else the public
// managed zone (private too with GCE_ALLOW_PRIVATE_ZONE) whose DNS name is
// the record's zone. Credentials are a service account key
// (GCE_SERVICE_ACCOUNT, or its path in GCE_SERVICE_ACCOUNT_FILE) or,
// without one, Google's Application Default Credentials. Impersonation
// (GCE_IMPERSONATE_SERVICE_ACCOUNT) is not supported and is refused with a
// hint.
package gcloud

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names: lego's (GCE_PROJECT also as NAME_FILE), and
// GCE_API_URL, lego-persist's own, to reach another endpoint or a test
// server.
const (
	EnvProject                   = "GCE_PROJECT"
	EnvServiceAccountFile        = "GCE_SERVICE_ACCOUNT_FILE"
	EnvServiceAccount            = "GCE_SERVICE_ACCOUNT"
	EnvZoneID                    = "GCE_ZONE_ID"
	EnvAllowPrivateZone          = "GCE_ALLOW_PRIVATE_ZONE"
	EnvImpersonateServiceAccount = "GCE_IMPERSONATE_SERVICE_ACCOUNT"

	EnvAPIURL = "GCE_API_URL"
)

const defaultTTL = 120 // lego's default

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// Project is the Google Cloud project holding the managed zones. When
	// empty it is the project_id of the service account key, or the
	// project of the Application Default Credentials.
	Project string

	// ServiceAccountFile is the path of a service account key (JSON).
	ServiceAccountFile string

	// ServiceAccountKey is a service account key (JSON) itself; it takes
	// precedence over ServiceAccountFile. Without either, the Application
	// Default Credentials are used (GOOGLE_APPLICATION_CREDENTIALS,
	// gcloud's, or the metadata server).
	ServiceAccountKey string

	// ZoneID is the name of the managed zone holding the records (lego's
	// GCE_ZONE_ID). When set, zones are not listed (which needs the
	// dns.managedZones.list permission on the project), and when Zone is
	// empty the zone's DNS name is read from the managed zone instead of
	// being found by SOA lookups.
	ZoneID string

	// AllowPrivateZone lets records go to a private managed zone when no
	// public one has the zone's name.
	AllowPrivateZone bool

	// APIURL replaces DefaultAPIURL ("https://dns.googleapis.com/dns/v1").
	APIURL string

	// TokenSource gives the OAuth 2.0 access tokens (scope Scope). When
	// set, no credentials are read and Project must be set.
	TokenSource oauth2.TokenSource
}

// DNSProvider publishes dns-persist-01 records in Google Cloud DNS. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads GCE_ZONE, GCE_TTL, GCE_HTTP_TIMEOUT, GCE_PROJECT,
// GCE_SERVICE_ACCOUNT, GCE_SERVICE_ACCOUNT_FILE, GCE_ZONE_ID,
// GCE_ALLOW_PRIVATE_ZONE and GCE_API_URL.
func NewDefaultConfig() *Config {
	return &Config{
		Options:            libdnsadapter.ReadOptions(defaultTTL, "GCE_"),
		Project:            env.GetOrFile(EnvProject),
		ServiceAccountFile: os.Getenv(EnvServiceAccountFile),
		ServiceAccountKey:  os.Getenv(EnvServiceAccount),
		ZoneID:             os.Getenv(EnvZoneID),
		AllowPrivateZone:   env.GetOrDefaultBool(EnvAllowPrivateZone, false),
		APIURL:             os.Getenv(EnvAPIURL),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()

	if os.Getenv(EnvImpersonateServiceAccount) != "" {
		return nil, errors.New("gcloud: " + EnvImpersonateServiceAccount + " is not supported: use a key of that " +
			"service account (" + EnvServiceAccountFile + ")")
	}

	if cfg.ZoneID == "" {
		if err := cfg.UseSystemResolvers(); err != nil {
			return nil, fmt.Errorf("gcloud: %w (or set GCE_ZONE or %s)", err, EnvZoneID)
		}
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg, reads the service account key if one is
// configured, and returns a publisher. It sends no request: without a
// TokenSource or a key, the Application Default Credentials (and the
// project, when Project is empty) are looked up on the first publish or
// unpublish, which may ask the metadata server.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("gcloud: no configuration given")
	}

	base := DefaultAPIURL
	if cfg.APIURL != "" {
		u, err := url.Parse(cfg.APIURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			return nil, fmt.Errorf("gcloud: %s: want an http:// or https:// URL with a host", EnvAPIURL)
		}

		base = strings.TrimSuffix(cfg.APIURL, "/")
	}

	timeout := cfg.HTTPTimeout
	if timeout <= 0 {
		timeout = libdnsadapter.DefaultTimeout
	}

	httpClient, err := httpapi.NewHTTPClient(timeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("gcloud: %w", err)
	}

	// Token requests run outside any Publish call (oauth2.TokenSource takes
	// no context); this client's timeout bounds them.
	tokenCtx := context.WithValue(context.Background(), oauth2.HTTPClient, httpClient)

	cl := &client{
		transport:    httpClient.Transport,
		timeout:      timeout,
		endpoint:     strings.TrimSuffix(base, "/dns/v1") + "/",
		zoneID:       cfg.ZoneID,
		allowPrivate: cfg.AllowPrivateZone,
		zones:        map[string]string{},
		findDefault: func() (*google.Credentials, error) {
			return google.FindDefaultCredentials(tokenCtx, Scope)
		},
	}

	tokens, keyProject, err := keyCredentials(tokenCtx, cfg)
	if err != nil {
		return nil, fmt.Errorf("gcloud: %w", err)
	}

	if tokens != nil {
		cl.tokens = &lastToken{src: tokens}
	}

	cl.project = cfg.Project
	if cl.project == "" {
		cl.project = keyProject
	}

	if cl.project == "" && cl.tokens != nil {
		return nil, errors.New("gcloud: the project is missing: set " + EnvProject)
	}

	opts := cfg.Options
	if opts.TTL <= 0 {
		opts.TTL = defaultTTL
	}

	if cfg.ZoneID != "" && opts.Zone == "" && opts.FindZone == nil {
		opts.FindZone = cl.zoneOf
	}

	return libdnsadapter.NewAs[DNSProvider](opts.Config("gcloud"), cl)
}

// keyCredentials returns the configured token source, or one for the
// configured service account key and the project the key names; nil
// when neither is configured (the default credentials are then looked up
// on first use).
func keyCredentials(ctx context.Context, cfg *Config) (oauth2.TokenSource, string, error) {
	if cfg.TokenSource != nil {
		return cfg.TokenSource, "", nil
	}

	key := []byte(cfg.ServiceAccountKey)
	what := EnvServiceAccount

	if len(key) == 0 && cfg.ServiceAccountFile != "" {
		data, err := os.ReadFile(cfg.ServiceAccountFile)
		if err != nil {
			return nil, "", fmt.Errorf("service account key (%s): %w", EnvServiceAccountFile, err)
		}

		key, what = data, cfg.ServiceAccountFile
	}

	if len(key) == 0 {
		return nil, "", nil
	}

	var fields struct {
		Type       string `json:"type"`
		ProjectID  string `json:"project_id"`
		PrivateKey string `json:"private_key"`
	}

	// The decoder's error could quote the key: do not wrap it.
	if json.Unmarshal(key, &fields) != nil || fields.Type != "service_account" || fields.PrivateKey == "" {
		return nil, "", fmt.Errorf("service account key %s: not a JSON key of type service_account with a private_key", what)
	}

	conf, err := google.JWTConfigFromJSON(key, Scope)
	if err != nil {
		return nil, "", fmt.Errorf("service account key %s: not usable", what)
	}

	return conf.TokenSource(ctx), fields.ProjectID, nil
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "gcloud",
		Backing:    "SDK google.golang.org/api/dns/v1 v0.276.0 (tokens: golang.org/x/oauth2/google)",
		Safety:     libdnsadapter.SafeConditional + ": one Changes.Create deletes the set as read and adds the new set; Cloud DNS refuses it (412, or 409) if the set changed since, and it is retried once.",
		LongValues: libdnsadapter.LongSplit,
		Description: "Google Cloud DNS v1 REST API, lego's gcloud. Publish applies one change that replaces the TXT " +
			"record set at the name with the same set plus the new value; unpublish, with the set minus exactly " +
			"that value (or deletes it when it was the only one). Cloud DNS applies a change only if the set is " +
			"unchanged since it was read: a concurrent change is read and retried once. Impersonation is not supported.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvProject, Description: "Project holding the zone (default: project_id of the service account key, or the project of the Application Default Credentials, e.g. from the metadata server)"},
			{Name: EnvServiceAccountFile, Description: "Path of a service account key (JSON); without it or " + EnvServiceAccount + ", Application Default Credentials"},
			{Name: EnvServiceAccount, Description: "Service account key (JSON) itself"},
			{Name: EnvZoneID, Description: "Name of the managed zone, to skip listing zones (and finding the zone by SOA lookups)"},
			{Name: EnvAllowPrivateZone, Description: "Use a private managed zone when no public one has the zone's name (default false)"},
			{Name: EnvAPIURL, Description: "Cloud DNS API base URL (default " + DefaultAPIURL + "; lego-persist's own)"},
		}, libdnsadapter.CommonEnv("GCE_", defaultTTL)...),
	}
}
