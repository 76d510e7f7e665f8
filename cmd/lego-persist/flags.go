package main

import (
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

// Global flag names: lego v4's, with lego's meaning.
const (
	flgDomains                  = "domains"
	flgServer                   = "server"
	flgAcceptTOS                = "accept-tos"
	flgEmail                    = "email"
	flgDisableCommonName        = "disable-cn"
	flgCSR                      = "csr"
	flgEAB                      = "eab"
	flgKID                      = "kid"
	flgHMAC                     = "hmac"
	flgKeyType                  = "key-type"
	flgFilename                 = "filename"
	flgPath                     = "path"
	flgHTTP                     = "http"
	flgHTTPPort                 = "http.port"
	flgHTTPDelay                = "http.delay"
	flgHTTPProxyHeader          = "http.proxy-header"
	flgHTTPWebroot              = "http.webroot"
	flgHTTPMemcachedHost        = "http.memcached-host"
	flgHTTPS3Bucket             = "http.s3-bucket"
	flgTLS                      = "tls"
	flgTLSPort                  = "tls.port"
	flgTLSDelay                 = "tls.delay"
	flgDNS                      = "dns"
	flgDNSDisableCP             = "dns.disable-cp"
	flgDNSPropagationWait       = "dns.propagation-wait"
	flgDNSPropagationDisableANS = "dns.propagation-disable-ans"
	flgDNSPropagationRNS        = "dns.propagation-rns"
	flgDNSResolvers             = "dns.resolvers"
	flgHTTPTimeout              = "http-timeout"
	flgTLSSkipVerify            = "tls-skip-verify"
	flgDNSTimeout               = "dns-timeout"
	flgPEM                      = "pem"
	flgCertTimeout              = "cert.timeout"
	flgOverallRequestLimit      = "overall-request-limit"
	flgUserAgent                = "user-agent"
)

// Global flag names of lego-persist.
const (
	flgDomainsFile           = "domains-file"
	flgLockTimeout           = "lock-timeout"
	flgPersist               = "dns-persist"
	flgPersistIssuer         = "dns-persist.issuer-domain-name"
	flgPersistUntil          = "dns-persist.persist-until"
	flgPersistWildcard       = "dns-persist.wildcard"
	flgPersistResolvers      = "dns-persist.resolvers"
	flgPersistDisableANS     = "dns-persist.propagation.disable-ans"
	flgPersistWait           = "dns-persist.propagation.wait"
	flgPersistPropTimeout    = "dns-persist.propagation.timeout"
	flgPersistPropInterval   = "dns-persist.propagation.interval"
	flgPersistTimeout        = "dns-persist.timeout"
	flgPersistForeignAccount = "dns-persist.allow-foreign-account"
	flgPersistAnyDomain      = "dns-persist.any-domain"
)

// Command flag names (lego's where lego has them).
const (
	flgNoBundle                       = "no-bundle"
	flgMustStaple                     = "must-staple"
	flgNotBefore                      = "not-before"
	flgNotAfter                       = "not-after"
	flgPrivateKey                     = "private-key"
	flgPreferredChain                 = "preferred-chain"
	flgProfile                        = "profile"
	flgAlwaysDeactivateAuthorizations = "always-deactivate-authorizations"
	flgRunHook                        = "run-hook"
	flgRunHookTimeout                 = "run-hook-timeout"

	flgRenewDays              = "days"
	flgRenewDynamic           = "dynamic"
	flgARIDisable             = "ari-disable"
	flgARIWaitToRenewDuration = "ari-wait-to-renew-duration"
	flgReuseKey               = "reuse-key"
	flgRenewHook              = "renew-hook"
	flgRenewHookTimeout       = "renew-hook-timeout"
	flgNoRandomSleep          = "no-random-sleep"
	flgForceCertDomains       = "force-cert-domains"
	flgParallel               = "parallel"
	flgQuiet                  = "quiet"

	flgJSON     = "json"
	flgTTL      = "ttl"
	flgWarnDays = "warn-days"
	flgCode     = "code"
)

// Environment variables: lego's names for lego's flags.
const (
	envEAB         = "LEGO_EAB"
	envEABHMAC     = "LEGO_EAB_HMAC"
	envEABKID      = "LEGO_EAB_KID"
	envEmail       = "LEGO_EMAIL"
	envPath        = "LEGO_PATH"
	envServer      = "LEGO_SERVER"
	envLockTimeout = "LEGO_PERSIST_LOCK_TIMEOUT"
)

const defaultLockTimeout = 60 * time.Second

func globalFlags(defaultPath string) []cli.Flag {
	flags := append(legoFlags(defaultPath), pfxFlags()...)

	return append(flags, persistFlags()...)
}

//nolint:funlen // a flag table.
func legoFlags(defaultPath string) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{
			Name:    flgDomains,
			Aliases: []string{"d"},
			Usage:   "Add a domain to the process. Can be specified multiple times.",
		},
		&cli.StringFlag{
			Name:  flgDomainsFile,
			Usage: "Read more domains from this file, one per line ('#' starts a comment).",
		},
		&cli.StringFlag{
			Name:    flgServer,
			Aliases: []string{"s"},
			EnvVars: []string{envServer},
			Usage:   "CA directory URL.",
			Value:   lego.LEDirectoryProduction,
		},
		&cli.BoolFlag{
			Name:    flgAcceptTOS,
			Aliases: []string{"a"},
			Usage:   "By setting this flag to true you indicate that you accept the CA's terms of service.",
		},
		&cli.StringFlag{
			Name:    flgEmail,
			Aliases: []string{"m"},
			EnvVars: []string{envEmail},
			Usage:   "Email used for registration and recovery contact.",
		},
		&cli.BoolFlag{
			Name:  flgDisableCommonName,
			Usage: "Disable the use of the common name in the CSR.",
		},
		&cli.StringFlag{
			Name:    flgCSR,
			Aliases: []string{"c"},
			Usage:   "Certificate signing request filename, if an external CSR is to be used.",
		},
		&cli.BoolFlag{
			Name:    flgEAB,
			EnvVars: []string{envEAB},
			Usage:   "Use External Account Binding for account registration. Requires --kid and --hmac.",
		},
		&cli.StringFlag{
			Name:    flgKID,
			EnvVars: []string{envEABKID},
			Usage:   "Key identifier from External CA. Used for External Account Binding.",
		},
		&cli.StringFlag{
			Name:    flgHMAC,
			EnvVars: []string{envEABHMAC},
			Usage:   "MAC key from External CA, base64url without padding. Used for External Account Binding.",
		},
		&cli.StringFlag{
			Name:    flgKeyType,
			Aliases: []string{"k"},
			Value:   "ec256",
			Usage:   "Key type to use for private keys. Supported: rsa2048, rsa3072, rsa4096, rsa8192, ec256, ec384.",
		},
		&cli.StringFlag{
			Name:  flgFilename,
			Usage: "(deprecated) Filename of the generated certificate.",
		},
		&cli.StringFlag{
			Name:    flgPath,
			EnvVars: []string{envPath},
			Usage:   "Directory to use for storing the data.",
			Value:   defaultPath,
		},
		&cli.DurationFlag{
			Name:    flgLockTimeout,
			EnvVars: []string{envLockTimeout},
			Usage:   "How long to wait for another lego-persist working on the same --path.",
			Value:   defaultLockTimeout,
		},
		&cli.BoolFlag{
			Name:  flgHTTP,
			Usage: "Fallback: use the HTTP-01 challenge for names whose authorization offers no dns-persist-01.",
		},
		&cli.StringFlag{
			Name:  flgHTTPPort,
			Usage: "Set the port and interface to use for HTTP-01 based challenges to listen on. Supported: interface:port or :port.",
			Value: ":80",
		},
		&cli.DurationFlag{
			Name:  flgHTTPDelay,
			Usage: "Delay between the start of the HTTP server (HTTP-01) and the validation of the challenge.",
		},
		&cli.StringFlag{
			Name:  flgHTTPProxyHeader,
			Usage: "Validate against this HTTP header when solving HTTP-01 based challenges behind a reverse proxy.",
			Value: "Host",
		},
		&cli.StringFlag{
			Name:  flgHTTPWebroot,
			Usage: "Set the webroot folder to use for HTTP-01 based challenges to write directly to the .well-known/acme-challenge file.",
		},
		&cli.StringSliceFlag{
			Name:  flgHTTPMemcachedHost,
			Usage: "Set the memcached host(s) to use for HTTP-01 based challenges.",
		},
		&cli.StringFlag{
			Name:  flgHTTPS3Bucket,
			Usage: "Set the S3 bucket name to use for HTTP-01 based challenges.",
		},
		&cli.BoolFlag{
			Name:  flgTLS,
			Usage: "Fallback: use the TLS-ALPN-01 challenge for names whose authorization offers no dns-persist-01.",
		},
		&cli.StringFlag{
			Name:  flgTLSPort,
			Usage: "Set the port and interface to use for TLS-ALPN-01 based challenges to listen on. Supported: interface:port or :port.",
			Value: ":443",
		},
		&cli.DurationFlag{
			Name:  flgTLSDelay,
			Usage: "Delay between the start of the TLS listener (TLS-ALPN-01) and the validation of the challenge.",
		},
		&cli.StringFlag{
			Name:  flgDNS,
			Usage: "Fallback: solve DNS-01 challenges with this lego DNS provider for names whose authorization offers no dns-persist-01.",
		},
		&cli.BoolFlag{
			Name:  flgDNSDisableCP,
			Usage: "(deprecated) use --" + flgDNSPropagationDisableANS + " instead.",
		},
		&cli.BoolFlag{
			Name:  flgDNSPropagationDisableANS,
			Usage: "DNS-01 fallback: do not wait for the TXT record on all authoritative name servers.",
		},
		&cli.BoolFlag{
			Name:  flgDNSPropagationRNS,
			Usage: "DNS-01 fallback: use all the recursive nameservers to check the propagation of the TXT record.",
		},
		&cli.DurationFlag{
			Name:  flgDNSPropagationWait,
			Usage: "DNS-01 fallback: disable the propagation checks and wait this long instead.",
		},
		&cli.StringSliceFlag{
			Name:  flgDNSResolvers,
			Usage: "DNS-01 fallback: resolvers (host:port) for CNAME resolving and zone detection.",
		},
		&cli.IntFlag{
			Name:  flgHTTPTimeout,
			Usage: "Set the HTTP timeout value to a specific value in seconds.",
		},
		&cli.BoolFlag{
			Name:  flgTLSSkipVerify,
			Usage: "Skip the TLS verification of the ACME server.",
		},
		&cli.IntFlag{
			Name:  flgDNSTimeout,
			Usage: "DNS-01 fallback: DNS timeout in seconds for authoritative name server queries.",
			Value: 10,
		},
		&cli.BoolFlag{
			Name:  flgPEM,
			Usage: "Generate an additional .pem (base64) file by concatenating the .key and .crt files together.",
		},
		&cli.IntFlag{
			Name:  flgCertTimeout,
			Usage: "Set the certificate timeout value to a specific value in seconds. Only used when obtaining certificates.",
			Value: 30,
		},
		&cli.IntFlag{
			Name:  flgOverallRequestLimit,
			Usage: "ACME overall requests limit.",
			Value: certificate.DefaultOverallRequestLimit,
		},
		&cli.StringFlag{
			Name:  flgUserAgent,
			Usage: "Add to the user-agent sent to the CA.",
		},
	}
}

func persistFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{
			Name:    flgPersist,
			EnvVars: []string{"LEGO_DNS_PERSIST"},
			Usage: "Who creates a missing _validation-persist record: a publisher (see 'lego-persist dnshelp')," +
				" or 'none' (read-only: a missing record is an error that prints the record to publish).",
			Value: "none",
		},
		&cli.StringFlag{
			Name:    flgPersistIssuer,
			EnvVars: []string{"LEGO_DNS_PERSIST_ISSUER_DOMAIN_NAME"},
			Usage:   "Use this issuer-domain-name in the record (must be offered by the CA). Default: the CA's first.",
		},
		&cli.StringFlag{
			Name:    flgPersistUntil,
			EnvVars: []string{"LEGO_DNS_PERSIST_PERSIST_UNTIL"},
			Usage:   "Write persistUntil=<this instant> (RFC 3339) into new records; after it the CA stops accepting the record.",
		},
		&cli.BoolFlag{
			Name:    flgPersistWildcard,
			EnvVars: []string{"LEGO_DNS_PERSIST_WILDCARD"},
			Usage:   "Write policy=wildcard even for non-wildcard names (one record then covers every name below).",
		},
		&cli.StringSliceFlag{
			Name:    flgPersistResolvers,
			EnvVars: []string{"LEGO_DNS_PERSIST_RESOLVERS"},
			Usage:   "Resolvers (host:port) for zone discovery and record checks. Can be specified multiple times. Default: /etc/resolv.conf.",
		},
		&cli.BoolFlag{
			Name:    flgPersistDisableANS,
			EnvVars: []string{"LEGO_DNS_PERSIST_PROPAGATION_DISABLE_ANS"},
			Usage:   "Check records through the resolvers only, not the zone's authoritative servers.",
		},
		&cli.DurationFlag{
			Name:    flgPersistWait,
			EnvVars: []string{"LEGO_DNS_PERSIST_PROPAGATION_WAIT"},
			Usage:   "After writing a record, wait this long instead of checking that it is served.",
		},
		&cli.DurationFlag{
			Name:    flgPersistPropTimeout,
			EnvVars: []string{"LEGO_DNS_PERSIST_PROPAGATION_TIMEOUT"},
			Usage:   "After writing a record, how long to wait at most until every checked server serves it.",
			Value:   persist.DefaultPropagationTimeout,
		},
		&cli.DurationFlag{
			Name:    flgPersistPropInterval,
			EnvVars: []string{"LEGO_DNS_PERSIST_PROPAGATION_INTERVAL"},
			Usage:   "How often to check for a newly written record.",
			Value:   persist.DefaultPropagationInterval,
		},
		&cli.IntFlag{
			Name:    flgPersistTimeout,
			EnvVars: []string{"LEGO_DNS_PERSIST_TIMEOUT"},
			Usage:   "DNS query timeout in seconds.",
			Value:   int(persist.DefaultDNSTimeout / time.Second),
		},
		&cli.BoolFlag{
			Name:    flgPersistForeignAccount,
			EnvVars: []string{"LEGO_DNS_PERSIST_ALLOW_FOREIGN_ACCOUNT"},
			Usage:   "Accept a challenge whose accounturi is not this account's URL (the record would authorize that account).",
		},
		&cli.BoolFlag{
			Name:    flgPersistAnyDomain,
			EnvVars: []string{"LEGO_DNS_PERSIST_ANY_DOMAIN"},
			Usage: "draft-02 CAs: write the any-domain accounturi (hashed with \"*\" instead of the domain), one value for every domain." +
				" Privacy trade-off: anyone reading DNS can link every domain carrying that value to one account." +
				" No effect for draft-00/01 CAs, whose records hold the account URL anyway.",
		},
	}
}

func obtainFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{
			Name:  flgNoBundle,
			Usage: "Do not create a certificate bundle by adding the issuer's certificate to the new certificate.",
		},
		&cli.BoolFlag{
			Name:  flgMustStaple,
			Usage: "Include the OCSP must staple TLS extension in the CSR and generated certificate.",
		},
		&cli.TimestampFlag{
			Name:   flgNotBefore,
			Usage:  "Set the notBefore field in the certificate (RFC3339 format).",
			Layout: time.RFC3339,
		},
		&cli.TimestampFlag{
			Name:   flgNotAfter,
			Usage:  "Set the notAfter field in the certificate (RFC3339 format).",
			Layout: time.RFC3339,
		},
		&cli.StringFlag{
			Name:  flgPreferredChain,
			Usage: "If the CA offers multiple certificate chains, prefer the chain with an issuer matching this Subject Common Name.",
		},
		&cli.StringFlag{
			Name:  flgProfile,
			Usage: "If the CA offers multiple certificate profiles (draft-ietf-acme-profiles), choose this one.",
		},
		&cli.BoolFlag{
			Name:  flgAlwaysDeactivateAuthorizations,
			Usage: "Force the authorizations to be relinquished even if the certificate request was successful.",
		},
	}
}

func runFlags() []cli.Flag {
	return append(obtainFlags(),
		&cli.StringFlag{
			Name:  flgPrivateKey,
			Usage: "Path to private key (in PEM encoding) for the certificate. By default, the private key is generated.",
		},
		&cli.StringFlag{
			Name:  flgRunHook,
			Usage: "Define a hook. The hook is executed when the certificates are effectively created.",
		},
		&cli.DurationFlag{
			Name:  flgRunHookTimeout,
			Usage: "Define the timeout for the hook execution.",
			Value: 2 * time.Minute,
		},
	)
}

func renewFlags() []cli.Flag {
	return append(obtainFlags(),
		&cli.IntFlag{
			Name:  flgRenewDays,
			Value: 30,
			Usage: "The number of days left on a certificate to renew it.",
		},
		&cli.BoolFlag{
			Name:  flgRenewDynamic,
			Usage: "Renew when 1/3 of the lifetime is left (1/2 for certificates of 10 days or less); supersedes --days.",
		},
		&cli.BoolFlag{
			Name:  flgARIDisable,
			Usage: "Do not use the renewalInfo endpoint (RFC 9773) to check if a certificate should be renewed.",
		},
		&cli.DurationFlag{
			Name:  flgARIWaitToRenewDuration,
			Usage: "The maximum duration you're willing to sleep for a renewal time returned by the renewalInfo endpoint.",
		},
		&cli.BoolFlag{
			Name:  flgReuseKey,
			Usage: "Reuse the current private key for the new certificate.",
		},
		&cli.StringFlag{
			Name:  flgRenewHook,
			Usage: "Define a hook. The hook is executed only when a certificate is effectively renewed, once per certificate.",
		},
		&cli.DurationFlag{
			Name:  flgRenewHookTimeout,
			Usage: "Define the timeout for the hook execution.",
			Value: 2 * time.Minute,
		},
		&cli.BoolFlag{
			Name:  flgNoRandomSleep,
			Usage: "Do not add a random sleep (up to 8 minutes, when not on a terminal) before renewing.",
		},
		&cli.BoolFlag{
			Name:  flgForceCertDomains,
			Usage: "Check and ensure that the cert's domain list matches those passed in the domains argument.",
		},
		&cli.IntFlag{
			Name:  flgParallel,
			Value: 4,
			Usage: "Without --domains: renew this many certificates at a time (one ACME account and client for all).",
		},
		&cli.BoolFlag{
			Name:    flgQuiet,
			Aliases: []string{"q"},
			Usage:   "Print only one line per certificate and the summary (no progress log on stderr).",
		},
	)
}
