package main

import (
	"time"

	"github.com/urfave/cli/v2"
)

// obtainFlags are lego's flags of run and renew.
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

// runFlags are lego's run flags.
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

// renewFlags are lego's renew flags, plus --parallel and --quiet.
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
