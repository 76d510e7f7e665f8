package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/log"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
	"github.com/lego-persist/lego-persist/providers/persist/manual"
	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
)

const rootPathWarning = `!!!! HEADS UP !!!!

Your account credentials have been saved in your configuration directory:

    %s

With dns-persist-01 the account key alone can obtain certificates for every
domain whose _validation-persist record names this account, for as long as
the record exists. Keep it secret, and make a secure backup of this folder.
`

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

// ensureRegistered registers the account (or recovers a stored account
// without registration) and saves it.
func (s *session) ensureRegistered(c *cli.Context) error {
	if s.account.Registered() {
		return nil
	}

	if exists, _ := s.accounts.Exists(); exists {
		reg, err := s.client.Registration.ResolveAccountByKey()
		if err != nil {
			return fmt.Errorf("account %s: stored without registration and the CA does not know its key: %w", userID(s.set.email), err)
		}

		s.account.Registration = reg

		return s.accounts.Save(s.account)
	}

	if s.client.GetExternalAccountRequired() && !c.Bool(flgEAB) {
		return usageErrorf("the CA requires External Account Binding: pass --%s with --%s and --%s", flgEAB, flgKID, flgHMAC)
	}

	if !c.Bool(flgAcceptTOS) {
		ok, err := askTOS(c, s.client.GetToSURL())
		if err != nil {
			return err
		}

		if !ok {
			return errors.New("you did not accept the CA's terms of service; unable to proceed")
		}
	}

	var (
		reg *registration.Resource
		err error
	)

	if c.Bool(flgEAB) {
		kid, hmac := c.String(flgKID), c.String(flgHMAC)
		if kid == "" || hmac == "" {
			return usageErrorf("--%s needs --%s and --%s", flgEAB, flgKID, flgHMAC)
		}

		reg, err = s.client.Registration.RegisterWithExternalAccountBinding(registration.RegisterEABOptions{
			TermsOfServiceAgreed: true,
			Kid:                  kid,
			HmacEncoded:          hmac,
		})
	} else {
		reg, err = s.client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	}

	if err != nil {
		return fmt.Errorf("could not complete registration at %s: %w", s.set.server, err)
	}

	s.account.Registration = reg

	if err := s.accounts.Save(s.account); err != nil {
		return err
	}

	fmt.Fprintf(c.App.ErrWriter, rootPathWarning, s.accounts.Dir())

	return nil
}

// askTOS asks on a terminal; elsewhere (cron) --accept-tos is required.
func askTOS(c *cli.Context, url string) (bool, error) {
	if !isatty.IsTerminal(os.Stdin.Fd()) {
		return false, usageErrorf("registering an account needs --%s (terms of service: %s)", flgAcceptTOS, url)
	}

	fmt.Fprintf(c.App.ErrWriter, "Please review the terms of service at %s\n", url)

	reader := bufio.NewReader(os.Stdin)

	for {
		fmt.Fprint(c.App.ErrWriter, "Do you accept the terms of service? Y/n ")

		text, err := reader.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return false, fmt.Errorf("read answer: %w", err)
		}

		switch strings.TrimSpace(text) {
		case "", "y", "Y":
			return true, nil
		case "n", "N":
			return false, nil
		}

		if errors.Is(err, io.EOF) {
			return false, nil
		}
	}
}

// publisher builds the --dns-persist publisher; nil means read-only.
func (s *settings) newPublisher() (persist.Publisher, error) {
	if s.publisher == "none" {
		return nil, nil
	}

	pub, err := dnsproviders.NewPublisher(s.publisher)
	if err != nil {
		known := false

		for _, p := range dnsproviders.All() {
			known = known || strings.EqualFold(p.Name, s.publisher)
		}

		if !known {
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
		dnsc, err := s.set.dnsClient()
		if err != nil {
			return err
		}

		pub = m.WithCheck(servedEverywhere(dnsc))
	}

	if pub, err = s.wrapInventory(pub); err != nil { // record inventory (cmd_account.go)
		return err
	}

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

// servedEverywhere reports whether every checked server (the zone's
// authoritative servers, or the resolvers) serves value at fqdn: the check
// the manual publisher polls while a person publishes the record.
func servedEverywhere(dnsc *dnsq.Client) manual.CheckFunc {
	return func(ctx context.Context, fqdn, value string) (bool, error) {
		answers, err := dnsc.LookupTXT(ctx, fqdn)
		if err != nil {
			return false, err
		}

		for _, a := range answers {
			if a.Err != nil {
				return false, a.Err
			}

			if !slices.Contains(a.Values, value) {
				return false, nil
			}
		}

		return len(answers) > 0, nil
	}
}

// resolverList returns --dns-persist.resolvers or the system's.
func (s *settings) resolverList() ([]string, error) {
	if len(s.resolvers) > 0 {
		return s.resolvers, nil
	}

	sys, err := dnsq.SystemResolvers("/etc/resolv.conf")
	if err != nil {
		return nil, fmt.Errorf("no --%s given and /etc/resolv.conf unusable: %w", flgPersistResolvers, err)
	}

	return sys, nil
}

// dnsClient is the DNS client of check, list and remove.
func (s *settings) dnsClient() (*dnsq.Client, error) {
	resolvers, err := s.resolverList()
	if err != nil {
		return nil, err
	}

	return dnsq.New(dnsq.Config{Resolvers: resolvers, Timeout: s.dnsTimeout, Authoritative: s.authoritative})
}

// fetchMeta reads the dns-persist-01 parts of the CA's directory.
func fetchMeta(ctx context.Context, httpClient *http.Client, dirURL, ua string) (draft.Meta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dirURL, nil)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	req.Header.Set("User-Agent", ua)

	resp, err := httpClient.Do(req)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	if resp.StatusCode != http.StatusOK {
		return draft.Meta{}, fmt.Errorf("directory %s: HTTP %s", dirURL, resp.Status)
	}

	meta, err := draft.ParseDirectory(body)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	return meta, nil
}

// caView is what record, check and remove know about the CA and account
// without ordering: the draft, the issuers, the account.
type caView struct {
	meta    draft.Meta
	issuers []string
	acct    draft.Account
}

// loadCAView reads the directory and the stored account (which must be
// registered: its URL is what the record authorizes).
func loadCAView(c *cli.Context, set *settings) (*caView, *session, error) {
	sess, err := openSession(c, set, false)
	if err != nil {
		return nil, nil, err
	}

	if !sess.account.Registered() {
		return nil, nil, fmt.Errorf("account %s at %s is not registered yet: run 'lego-persist ... run' first", userID(set.email), set.server)
	}

	meta, err := fetchMeta(c.Context, sess.cfg.HTTPClient, set.server, sess.cfg.UserAgent)
	if err != nil {
		return nil, nil, err
	}

	logDraft(set.server, meta)

	issuers := meta.Issuers()
	if set.issuer != "" {
		if len(issuers) > 0 && !contains(issuers, set.issuer) {
			log.Warnf("--%s %s is not among the CA's issuer names %q; the CA may not offer it", flgPersistIssuer, set.issuer, issuers)
		}

		issuers = []string{set.issuer}
	}

	if len(issuers) == 0 {
		return nil, nil, fmt.Errorf("the directory of %s names no issuer-domain-names (meta.caaIdentities); pass --%s", set.server, flgPersistIssuer)
	}

	thumb, err := draft.Thumbprint(sess.account.GetPrivateKey())
	if err != nil {
		return nil, nil, err
	}

	return &caView{meta: meta, issuers: issuers, acct: draft.Account{URL: sess.account.Registration.URI, Thumbprint: thumb}}, sess, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}

	return false
}

// logDraft says which draft the directory announces, for debugging.
func logDraft(server string, meta draft.Meta) {
	if meta.Version() != draft.Draft02 {
		log.Infof("%s: directory without accountHashPrefix: records hold the account URL (draft-00/draft-01)", server)
		return
	}

	log.Infof("%s: CA speaks draft-02 (accountHashPrefix %s, issuerDomainNames %q)",
		server, meta.AccountHashPrefix, meta.IssuerDomainNames)

	if meta.IssuerNamesNote != "" {
		log.Warnf("%s: %s", server, meta.IssuerNamesNote)
	}
}
