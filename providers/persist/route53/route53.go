// Package route53 publishes dns-persist-01 records in Amazon Route 53
// through libdns/route53, configured with lego's AWS_* environment
// variables and the AWS SDK's own (credentials chain, AWS_PROFILE,
// AWS_REGION, AWS_ENDPOINT_URL).
//
// Route 53 keeps all values of a name and type in one resource record set.
// Publish reads the zone's record sets and UPSERTs the one at the name with
// the new value added (its TTL and other values kept); unpublish looks for
// exactly that value and, when present, UPSERTs the set without it, or
// DELETEs the set when it was the only value. Values over 255 octets are
// split into several strings. The library re-encodes the values it keeps:
// a foreign value written as several short strings comes back as one
// string (same text for readers, which concatenate).
// The read-modify-write is serialized inside one process only: two
// processes writing the same name at the same instant can lose a value, as
// with lego's own route53 provider.
//
// Not supported, and refused with a hint: lego's AWS_ASSUME_ROLE_ARN (use an
// AWS_PROFILE whose profile has role_arn, which the SDK assumes itself), and
// AWS_PRIVATE_ZONE without AWS_HOSTED_ZONE_ID.
package route53

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/libdns/route53"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's. The credentials, AWS_REGION and
// AWS_PROFILE are read by the AWS SDK as well (without NAME_FILE support,
// as in lego).
const (
	EnvAccessKeyID     = "AWS_ACCESS_KEY_ID"
	EnvSecretAccessKey = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken    = "AWS_SESSION_TOKEN"
	EnvRegion          = "AWS_REGION"
	EnvProfile         = "AWS_PROFILE"
	EnvHostedZoneID    = "AWS_HOSTED_ZONE_ID"
	EnvMaxRetries      = "AWS_MAX_RETRIES"
	EnvAssumeRoleArn   = "AWS_ASSUME_ROLE_ARN"
	EnvPrivateZone     = "AWS_PRIVATE_ZONE"
)

// DefaultRegion signs requests when no region is configured anywhere:
// Route 53 is a global service whose API lives in us-east-1.
const DefaultRegion = "us-east-1"

const (
	defaultTTL        = 10 // lego's default
	defaultMaxRetries = 5  // lego's and the library's default
)

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	// Static credentials. When AccessKeyID or SecretAccessKey is empty the
	// AWS SDK's default chain is used (environment, shared files,
	// AWS_PROFILE, web identity, container and instance roles).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string

	Region  string // AWS_REGION, the shared config, else DefaultRegion
	Profile string // shared config profile (AWS_PROFILE when empty)

	// HostedZoneID skips the zone lookup by name (and picks between a
	// public and a private zone of the same name).
	HostedZoneID string

	// MaxRetries is the number of attempts per API call (throttled and
	// failed requests are retried with backoff); defaultMaxRetries when 0.
	MaxRetries int
}

// DNSProvider publishes dns-persist-01 records in Amazon Route 53. It implements
// persist.Publisher (Publish adds one TXT value next to the others at the
// name) and persist.Unpublisher (Unpublish removes exactly that value);
// errors are one line, without credentials (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDefaultConfig reads AWS_ZONE, AWS_TTL, AWS_HTTP_TIMEOUT,
// AWS_HOSTED_ZONE_ID and AWS_MAX_RETRIES.
func NewDefaultConfig() *Config {
	return &Config{
		Options:      libdnsadapter.ReadOptions(defaultTTL, "AWS_"),
		HostedZoneID: env.GetOrFile(EnvHostedZoneID),
		MaxRetries:   env.GetOrDefaultInt(EnvMaxRetries, defaultMaxRetries),
	}
}

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()

	if os.Getenv(EnvAssumeRoleArn) != "" {
		return nil, errors.New("route53: " + EnvAssumeRoleArn + " is not supported: put role_arn (and source_profile) " +
			"in a profile of the shared AWS config and set " + EnvProfile + ", or unset " + EnvAssumeRoleArn)
	}

	if env.GetOrDefaultBool(EnvPrivateZone, false) && cfg.HostedZoneID == "" {
		return nil, errors.New("route53: " + EnvPrivateZone + " needs " + EnvHostedZoneID +
			" (the zone lookup by name cannot choose a private zone)")
	}

	cfg.AccessKeyID = os.Getenv(EnvAccessKeyID)
	cfg.SecretAccessKey = os.Getenv(EnvSecretAccessKey)
	cfg.SessionToken = os.Getenv(EnvSessionToken)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("route53: %w (or set AWS_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg, loads the AWS configuration once to
// report its errors here, and returns a publisher.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("route53: no configuration given")
	}

	if cfg.SessionToken != "" && (cfg.AccessKeyID == "" || cfg.SecretAccessKey == "") {
		return nil, errors.New("route53: a session token needs an access key ID and a secret access key (" +
			EnvAccessKeyID + ", " + EnvSecretAccessKey + ")")
	}

	if cfg.MaxRetries < 0 {
		return nil, fmt.Errorf("route53: negative %s %d", EnvMaxRetries, cfg.MaxRetries)
	}

	secrets := []string{cfg.SecretAccessKey, cfg.SessionToken}

	// libdns/route53 loads the AWS configuration on first use and calls
	// log.Fatalf when that fails (an AWS_PROFILE that does not exist, a
	// broken shared config file), which would end the process. Loading it
	// here with the same inputs turns that into an error at setup.
	region, err := loadRegion(context.Background(), cfg)
	if err != nil {
		return nil, errors.New(scrub("route53: loading the AWS configuration: "+err.Error(), secrets))
	}

	p := &route53.Provider{
		Region:          region,
		Profile:         cfg.Profile,
		AccessKeyId:     cfg.AccessKeyID,
		SecretAccessKey: cfg.SecretAccessKey,
		SessionToken:    cfg.SessionToken,
		MaxRetries:      cfg.MaxRetries,
		HostedZoneID:    strings.TrimPrefix(cfg.HostedZoneID, "/hostedzone/"),
	}

	if p.MaxRetries == 0 {
		p.MaxRetries = defaultMaxRetries
	}

	opts := cfg.Options
	if opts.TTL <= 0 {
		// The library would write TTL 0 for a new record set.
		opts.TTL = defaultTTL
	}

	ac := opts.Config("route53", secrets...).WithReadBack()
	// The library's DeleteRecords rewrites the set even when the value is
	// not in it; looking the value up first makes removing an absent value
	// write nothing.
	ac.DeleteByLookup = true

	// Errors of the AWS SDK carry the HTTP status (HTTPStatusCode), which
	// the adapter reads; its requests do not go through an adapter
	// Transport.
	return libdnsadapter.NewAs[DNSProvider](ac, p)
}

// loadRegion loads the AWS configuration as libdns/route53 will, and
// returns the region to give the library: empty when the SDK finds one
// itself, DefaultRegion when nothing sets one.
func loadRegion(ctx context.Context, cfg *Config) (string, error) {
	var opts []func(*config.LoadOptions) error

	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}

	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}

	if cfg.AccessKeyID != "" && cfg.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}

	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return "", err
	}

	switch {
	case cfg.Region != "":
		return cfg.Region, nil
	case awsCfg.Region != "":
		return "", nil
	default:
		return DefaultRegion, nil
	}
}

func scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "REDACTED")
		}
	}

	return strings.Join(strings.Fields(s), " ")
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:       "route53",
		Backing:    "libdns/route53 v1.6.2 (AWS SDK v2)",
		Safety:     libdnsadapter.SafeReadBack + ": the library UPSERTs the whole TXT record set with what it read plus (or minus) our value.",
		LongValues: libdnsadapter.LongSplit,
		Description: "Amazon Route 53 API (libdns/route53) with the AWS SDK's credentials chain. Publish rewrites the " +
			"TXT record set at the name with the new value added (UPSERT); unpublish rewrites it without exactly that " +
			"value, or deletes the set when it was the only one. AWS_ASSUME_ROLE_ARN is not supported (use a profile " +
			"with role_arn); the AWS SDK's AWS_ENDPOINT_URL is honoured.",
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvAccessKeyID, Description: "Access key ID (else the AWS SDK's default credentials chain)"},
			{Name: EnvSecretAccessKey, Description: "Secret access key"},
			{Name: EnvSessionToken, Description: "Session token of temporary credentials"},
			{Name: EnvRegion, Description: "AWS region (default " + DefaultRegion + ")"},
			{Name: EnvProfile, Description: "Profile of the shared AWS config and credentials files"},
			{Name: EnvHostedZoneID, Description: "Hosted zone ID; skips the lookup of the hosted zone by name"},
			{Name: EnvPrivateZone, Description: "Use a private hosted zone: needs " + EnvHostedZoneID},
			{Name: EnvMaxRetries, Description: fmt.Sprintf("Attempts per API call (default %d)", defaultMaxRetries)},
		}, libdnsadapter.CommonEnv("AWS_", defaultTTL)...),
	}
}
