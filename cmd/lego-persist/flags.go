package main

import (
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
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
	flgPersistFor            = "dns-persist.persist-for"
	flgPersistRefresh        = "dns-persist.refresh-before"
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
	flgFormat   = "format"
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
			Usage: "Use the HTTP-01 challenge (as lego) where dns-persist-01 is not offered, or (without --dns-persist) no valid record exists.",
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
			Usage: "Use the TLS-ALPN-01 challenge (as lego) where dns-persist-01 is not offered, or (without --dns-persist) no valid record exists.",
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
			Usage: "Solve DNS-01 challenges with this lego DNS provider (as lego) where dns-persist-01 is not offered, or (without --dns-persist) no valid record exists.",
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
