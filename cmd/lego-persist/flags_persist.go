package main

import (
	"time"

	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

// persistFlags are the dns-persist-01 flags (names after lego v5's
// --dns-persist.* family), each with a LEGO_DNS_PERSIST_* variable.
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
		&cli.DurationFlag{
			Name:    flgPersistFor,
			EnvVars: []string{"LEGO_DNS_PERSIST_PERSIST_FOR"},
			Usage:   "Write persistUntil = now + DURATION into new records (a rolling persistUntil, e.g. 2160h).",
		},
		&cli.DurationFlag{
			Name:    flgPersistRefresh,
			EnvVars: []string{"LEGO_DNS_PERSIST_REFRESH_BEFORE"},
			Usage: "With --" + flgPersistFor + ": when this account's record expires within DURATION, publish a fresh one," +
				" wait until it is served, then remove the old value of this account (other values stay).",
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
