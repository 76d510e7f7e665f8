package main

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/log"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
	"github.com/lego-persist/lego-persist/providers/persist/manual"
	"github.com/urfave/cli/v2"
)

// session is what a command that talks to the CA needs: the stored account,
// the lego client and its config.
type session struct {
	set      *settings
	store    *storage.Store
	accounts *storage.AccountStore
	account  *storage.Account
	cfg      *lego.Config
	client   *lego.Client
}

// openSession loads (or, with create, generates) the account key and the
// stored account and builds the lego client. It does not register.
func openSession(c *cli.Context, set *settings, create bool) (*session, error) {
	st := set.store()

	as, err := st.Account(set.server, set.email)
	if err != nil {
		return nil, usageErrorf("--%s: %w", flgEmail, err)
	}

	if err := accountGate(c, set, as); err != nil { // deactivated account, interrupted rollover (cmd_account.go)
		return nil, err
	}

	var acct *storage.Account

	exists, err := as.Exists()
	if err != nil {
		return nil, err
	}

	switch {
	case exists:
		key, err := as.ReadKey()
		if err != nil {
			return nil, err
		}

		if acct, err = as.Load(key); err != nil {
			return nil, err
		}
	case create:
		key, created, err := as.Key(set.keyType)
		if err != nil {
			return nil, err
		}

		if created {
			log.Printf("No key found for account %s. Generated a %s key: %s", userID(set.email), set.keyType, as.KeyPath())
		}

		acct = storage.NewAccount(set.email, key)
	default:
		return nil, fmt.Errorf("no account for %s at %s in %s: run 'lego-persist --email %s --accept-tos ... run' first",
			userID(set.email), set.server, set.path, set.email)
	}

	cfg, err := newConfig(c, acct)
	if err != nil {
		return nil, err
	}

	client, err := lego.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("ACME client for %s: %w", set.server, err)
	}

	return &session{set: set, store: st, accounts: as, account: acct, cfg: cfg, client: client}, nil
}

func userID(email string) string {
	if email == "" {
		return storage.NoEmailUserID
	}

	return email
}

func userAgent(c *cli.Context) string {
	return strings.TrimSpace(c.String(flgUserAgent) + " lego-persist/" + version)
}

// newConfig builds lego's config as lego's CLI does (custom roots from
// LEGO_CA_CERTIFICATES come with lego.NewConfig).
func newConfig(c *cli.Context, user registration.User) (*lego.Config, error) {
	cfg := lego.NewConfig(user)
	cfg.CADirURL = c.String(flgServer)
	cfg.UserAgent = userAgent(c)

	kt := keyTypes[strings.ToLower(c.String(flgKeyType))]
	cfg.Certificate = lego.CertificateConfig{
		KeyType:             kt,
		Timeout:             time.Duration(c.Int(flgCertTimeout)) * time.Second,
		OverallRequestLimit: c.Int(flgOverallRequestLimit),
		DisableCommonName:   c.Bool(flgDisableCommonName),
	}

	if c.IsSet(flgHTTPTimeout) {
		cfg.HTTPClient.Timeout = time.Duration(c.Int(flgHTTPTimeout)) * time.Second
	}

	if c.Bool(flgTLSSkipVerify) {
		tr, ok := cfg.HTTPClient.Transport.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("--%s: unexpected HTTP transport %T", flgTLSSkipVerify, cfg.HTTPClient.Transport)
		}

		tr = tr.Clone()
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		}

		tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it.
		cfg.HTTPClient.Transport = tr
	}

	return cfg, nil
}

// publisher builds the --dns-persist publisher; nil means read-only.
func (s *settings) newPublisher() (persist.Publisher, error) {
	if s.publisher == "none" {
		return nil, nil
	}

	pub, err := dnsproviders.NewPublisher(s.publisher)
	if err != nil {
		if _, known := dnsproviders.Lookup(s.publisher); !known {
			return nil, usageErrorf("--%s %s: %w (see 'lego-persist dnshelp')", flgPersist, s.publisher, err)
		}

		return nil, fmt.Errorf("--%s %s: %w", flgPersist, s.publisher, err)
	}

	return pub, nil
}

// enablePersist configures the fallback solvers and makes the client
// dns-persist-01 capable.
func (s *session) enablePersist(c *cli.Context) error {
	solvers, err := setupFallback(c, s.client)
	if err != nil {
		return err
	}

	pub, err := s.set.newPublisher()
	if err != nil {
		return err
	}

	logSolverOrder(s.set.publisher, pub != nil, solvers)

	if m, ok := pub.(*manual.DNSProvider); ok {
		served, err := persist.ServedCheck(s.set.persistOpts...)
		if err != nil {
			return err
		}

		pub = m.WithCheck(served)
	}

	if pub, err = s.wrapInventory(pub); err != nil { // record inventory (cmd_account.go)
		return err
	}

	s.warnExpiring()

	opts := append([]persist.Option{persist.WithContext(c.Context)}, s.set.persistOpts...)
	if err := persist.Enable(s.client, s.cfg, pub, opts...); err != nil {
		return err
	}

	return nil
}

// logSolverOrder says, once per run, who solves an authorization when no
// valid _validation-persist record exists (PRODUCT.md §2's order: record,
// --dns-persist publisher, lego's --http/--tls/--dns solver, error).
func logSolverOrder(publisher string, hasPublisher bool, solvers []string) {
	lego := strings.Join(solvers, ", ")

	switch {
	case hasPublisher && len(solvers) > 0:
		log.Infof("solvers: a valid _validation-persist record, else --%s %s creates one; names whose authorization offers no dns-persist-01 use lego's %s",
			flgPersist, publisher, lego)
	case hasPublisher:
		log.Infof("solvers: a valid _validation-persist record, else --%s %s creates one", flgPersist, publisher)
	case len(solvers) > 0:
		log.Infof("solvers: a valid _validation-persist record, else (no --%s publisher) lego's %s", flgPersist, lego)
	default:
		log.Infof("solvers: a valid _validation-persist record only (no --%s publisher, no --http, --tls or --dns)", flgPersist)
	}
}
