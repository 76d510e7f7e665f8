// Package googleclouddns publishes dns-persist-01 records in Google Cloud
// DNS through libdns/googleclouddns, configured with lego's GCE_*
// environment variables. Its name is lego's: "gcloud".
//
// Cloud DNS keeps all values of a name and type in one record set. Publish
// reads the set and writes it back with the new value added (create, or
// patch when it exists); unpublish patches it without exactly that value, or
// deletes the set when that value was the only one. The library does not
// split long values, so this package writes a value over 255 octets as
// several quoted character-strings itself (RFC 1035 §3.3.14).
//
// Credentials are a service account key file (GCE_SERVICE_ACCOUNT_FILE) or,
// without one, Google's Application Default Credentials. Not supported, and
// refused with a hint: the key as a value (GCE_SERVICE_ACCOUNT), private
// zones, impersonation, and GCE_ZONE_ID (zones are matched by DNS name).
package googleclouddns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/googleclouddns"
	"github.com/libdns/libdns"
	"google.golang.org/api/googleapi"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (GCE_PROJECT also as NAME_FILE).
const (
	EnvProject                   = "GCE_PROJECT"
	EnvServiceAccountFile        = "GCE_SERVICE_ACCOUNT_FILE"
	EnvServiceAccount            = "GCE_SERVICE_ACCOUNT"
	EnvZoneID                    = "GCE_ZONE_ID"
	EnvAllowPrivateZone          = "GCE_ALLOW_PRIVATE_ZONE"
	EnvImpersonateServiceAccount = "GCE_IMPERSONATE_SERVICE_ACCOUNT"
)

const defaultTTL = 120 // lego's default

// maxString is the longest TXT character-string (RFC 1035 §3.3).
const maxString = 255

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// Project is the Google Cloud project holding the managed zones.
	Project string

	// ServiceAccountFile is the path of a service account key (JSON). When
	// empty the Application Default Credentials are used
	// (GOOGLE_APPLICATION_CREDENTIALS, gcloud's, or the metadata server).
	ServiceAccountFile string
}

// NewDefaultConfig reads GCE_ZONE, GCE_TTL, GCE_HTTP_TIMEOUT, GCE_PROJECT
// and GCE_SERVICE_ACCOUNT_FILE.
func NewDefaultConfig() *Config {
	return &Config{
		Options:            libdnsadapter.ReadOptions(defaultTTL, "GCE_"),
		Project:            env.GetOrFile(EnvProject),
		ServiceAccountFile: os.Getenv(EnvServiceAccountFile),
	}
}

// NewDNSProvider reads the configuration from the environment. Without
// GCE_PROJECT the project is the project_id of the service account key.
func NewDNSProvider() (*libdnsadapter.Publisher, error) {
	cfg := NewDefaultConfig()

	switch {
	case os.Getenv(EnvServiceAccount) != "":
		return nil, errors.New("gcloud: " + EnvServiceAccount + " (the key as a value) is not supported: " +
			"store the key in a file and set " + EnvServiceAccountFile)
	case os.Getenv(EnvZoneID) != "":
		return nil, errors.New("gcloud: " + EnvZoneID + " is not supported (the managed zone is found by its " +
			"DNS name): unset it, and set GCE_ZONE to the zone's DNS name if needed")
	case env.GetOrDefaultBool(EnvAllowPrivateZone, false):
		return nil, errors.New("gcloud: private zones (" + EnvAllowPrivateZone + ") are not supported")
	case os.Getenv(EnvImpersonateServiceAccount) != "":
		return nil, errors.New("gcloud: " + EnvImpersonateServiceAccount + " is not supported: use a key file " +
			"of that service account (" + EnvServiceAccountFile + ")")
	}

	if cfg.Project == "" && cfg.ServiceAccountFile != "" {
		project, err := projectOf(cfg.ServiceAccountFile)
		if err != nil {
			return nil, fmt.Errorf("gcloud: %w (or set %s)", err, EnvProject)
		}

		cfg.Project = project
	}

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("gcloud: %w (or set GCE_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*libdnsadapter.Publisher, error) {
	if cfg == nil || cfg.Project == "" {
		return nil, errors.New("gcloud: the project is missing: set " + EnvProject)
	}

	if cfg.ServiceAccountFile != "" {
		if _, err := os.Stat(cfg.ServiceAccountFile); err != nil {
			return nil, fmt.Errorf("gcloud: service account key (%s): %w", EnvServiceAccountFile, err)
		}
	}

	return newPublisher(cfg, library(cfg.Project, cfg.ServiceAccountFile))
}

// library returns a function building a libdns/googleclouddns provider.
func library(project, keyFile string) func() libdnsadapter.Provider {
	return func() libdnsadapter.Provider {
		// ServiceAccountJSON is the path of the key file, despite its name.
		return &googleclouddns.Provider{Project: project, ServiceAccountJSON: keyFile}
	}
}

// newPublisher wires the library (newLib builds one per call; tests pass a
// double) to the adapter.
func newPublisher(cfg *Config, newLib func() libdnsadapter.Provider) (*libdnsadapter.Publisher, error) {
	opts := cfg.Options
	if opts.TTL <= 0 {
		// The library would send TTL 0 for a new record set.
		opts.TTL = defaultTTL
	}

	return libdnsadapter.New(opts.Config("gcloud"), &perCall{newLib: newLib})
}

// projectOf reads the project_id of a service account key file.
func projectOf(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("service account key (%s): %w", EnvServiceAccountFile, err)
	}

	var key struct {
		ProjectID string `json:"project_id"`
	}

	// The decoder's error could quote the key: do not wrap it.
	if json.Unmarshal(data, &key) != nil || key.ProjectID == "" {
		return "", fmt.Errorf("service account key %s: no project_id in it", path)
	}

	return key.ProjectID, nil
}

// perCall runs each operation on a fresh library provider, in a goroutine
// it stops waiting for when ctx ends, and splits long TXT values.
//
// Why: libdns/googleclouddns v1.2.0 builds its API client with the context
// of its first call and keeps it (a later token refresh would see that
// context cancelled), and lists the managed zones with
// context.Background() over an HTTP client without timeout, which no
// deadline of ours can stop. A fresh provider per call costs one zone
// listing per publish, which happens once per name.
type perCall struct {
	newLib func() libdnsadapter.Provider
}

func (c *perCall) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	enc, err := encode(recs)
	if err != nil {
		return nil, err
	}

	return c.run(ctx, func(p libdnsadapter.Provider) ([]libdns.Record, error) {
		return p.AppendRecords(ctx, zone, enc)
	})
}

func (c *perCall) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	enc, err := encode(recs)
	if err != nil {
		return nil, err
	}

	return c.run(ctx, func(p libdnsadapter.Provider) ([]libdns.Record, error) {
		return p.DeleteRecords(ctx, zone, enc)
	})
}

func (c *perCall) run(ctx context.Context, fn func(libdnsadapter.Provider) ([]libdns.Record, error)) ([]libdns.Record, error) {
	type result struct {
		recs []libdns.Record
		err  error
	}

	done := make(chan result, 1)

	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("the googleclouddns library panicked: %v", r)}
			}
		}()

		recs, err := fn(c.newLib())

		var gerr *googleapi.Error
		if errors.As(err, &gerr) {
			err = apiError{gerr}
		}

		done <- result{recs, err}
	}()

	select {
	case r := <-done:
		return r.recs, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// apiError exposes the HTTP status of a Cloud DNS error to the adapter.
type apiError struct{ err *googleapi.Error }

func (e apiError) Error() string   { return e.err.Error() }
func (e apiError) Unwrap() error   { return e.err }
func (e apiError) StatusCode() int { return e.err.Code }

// encode turns each TXT value into the form the library sends and reads
// back. The library wraps a value containing a space in quotes, after
// trimming quotes at its ends, and strips the outer quotes of what Cloud
// DNS returns. So a value of at most 255 octets passes as it is, and a
// longer one as its 255-octet strings joined by `" "`: sent as
// "s1" "s2", read back as s1" "s2, which Unpublish then matches exactly.
func encode(recs []libdns.Record) ([]libdns.Record, error) {
	out := make([]libdns.Record, 0, len(recs))

	for _, r := range recs {
		rr := r.RR()
		if rr.Type != "TXT" {
			out = append(out, r)

			continue
		}

		for i := 0; i < len(rr.Data); i++ {
			if c := rr.Data[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
				// The library passes values unescaped, and trims
				// quotes: such values would not round-trip.
				return nil, fmt.Errorf("the value contains %q, which the googleclouddns library cannot write", c)
			}
		}

		var chunks []string
		for s := rr.Data; s != ""; {
			n := min(len(s), maxString)
			chunks = append(chunks, s[:n])
			s = s[n:]
		}

		rr.Data = strings.Join(chunks, `" "`)
		out = append(out, libdns.TXT{Name: rr.Name, TTL: rr.TTL, Text: rr.Data})
	}

	return out, nil
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name: "gcloud",
		Description: "Google Cloud DNS API (libdns/googleclouddns), lego's gcloud. Publish writes the TXT record set " +
			"at the name back with the new value added; unpublish writes it back without exactly that value, or " +
			"deletes the set when it was the only one. Public managed zones only, found by DNS name.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvProject, Description: "Project holding the zone (default: project_id of the service account key)", Required: true},
			{Name: EnvServiceAccountFile, Description: "Path of a service account key (JSON); without it, Application Default Credentials"},
		}, libdnsadapter.CommonEnv("GCE_", defaultTTL)...),
	}
}
