// Package persist makes a lego v4 client solve dns-persist-01 challenges
// (draft-ietf-acme-dns-persist): one standing TXT record at
// _validation-persist.<domain> names the CA and the ACME account, is created
// once when missing, and every later issuance or renewal writes nothing to
// DNS and waits for nothing.
//
//	client, _ := lego.NewClient(cfg)
//	// register the account as usual, then:
//	err := persist.Enable(client, cfg, publisher, persist.WithResolvers("192.0.2.53:53"))
//	res, err := client.Certificate.Obtain(certificate.ObtainRequest{Domains: domains, Bundle: true})
package persist

import (
	"errors"
	"fmt"

	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/challenge/resolver"
	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/testseam"
)

// Enable turns client into a dns-persist-01 client. Afterwards
// client.Certificate (Obtain, ObtainForCSR, Renew) solves every
// authorization that offers dns-persist-01 with it and hands every other
// authorization to the solvers configured on client.Challenge (http-01,
// tls-alpn-01, dns-01), the usual lego way.
//
// Call it once the account behind cfg.User is registered: its URL is what
// the record authorizes. pub creates a missing record; nil means read-only,
// where a missing record is an error that carries the zone-file line to
// publish. cfg.HTTPClient is not modified: Enable works on a copy.
//
// Enable fetches the CA's directory once; it costs no other request.
func Enable(client *lego.Client, cfg *lego.Config, pub Publisher, opts ...Option) error {
	if client == nil || cfg == nil {
		return errors.New("persist: Enable needs the lego client and its config")
	}

	if err := checkConfig(cfg); err != nil {
		return err
	}

	o, err := buildOptions(opts)
	if err != nil {
		return err
	}

	dns, err := o.dnsClient()
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}

	acct, err := o.account(cfg)
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}

	proof, err := newAccountProof(cfg.HTTPClient, cfg.UserAgent, cfg.CADirURL, acct.URL, cfg.User.GetPrivateKey())
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}

	// A private copy of the caller's client, whose transport keeps the raw
	// challenge objects (see capture).
	capt := newCapture(cfg.HTTPClient.Transport)
	httpClient := *cfg.HTTPClient
	httpClient.Transport = capt

	core, err := api.New(&httpClient, cfg.UserAgent, cfg.CADirURL, acct.URL, cfg.User.GetPrivateKey())
	if err != nil {
		return fmt.Errorf("persist: %w", err)
	}

	meta, err := draft.ParseDirectory(capt.directoryJSON())
	if err != nil {
		return fmt.Errorf("persist: %s: %w", cfg.CADirURL, err)
	}

	s := &solver{
		core:     core,
		capture:  capt,
		fallback: resolver.NewProber(client.Challenge),
		pub:      pub,
		dns:      dns,
		acct:     acct,
		proof:    proof,
		meta:     meta,
		opts:     o,
	}

	client.Certificate = certificate.NewCertifier(core, s, certificate.CertifierOptions{
		KeyType:             cfg.Certificate.KeyType,
		Timeout:             cfg.Certificate.Timeout,
		OverallRequestLimit: cfg.Certificate.OverallRequestLimit,
		DisableCommonName:   cfg.Certificate.DisableCommonName,
	})

	return nil
}

// checkConfig checks what every entry point needs of cfg: a registered
// account and an HTTP client.
func checkConfig(cfg *lego.Config) error {
	if cfg == nil {
		return errors.New("persist: no lego config")
	}

	if cfg.User == nil || cfg.User.GetRegistration() == nil || cfg.User.GetRegistration().URI == "" {
		return errors.New("persist: the account is not registered yet: call client.Registration.Register first")
	}

	if cfg.HTTPClient == nil {
		return errors.New("persist: cfg.HTTPClient is nil")
	}

	return nil
}

// buildOptions applies opts to the defaults and validates the result.
func buildOptions(opts []Option) (options, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return options{}, fmt.Errorf("persist: %w", err)
		}
	}

	if err := o.validate(); err != nil {
		return options{}, fmt.Errorf("persist: %w", err)
	}

	return o, nil
}

// dnsClient is the DNS client the options describe; without
// WithResolvers it reads the system's resolv.conf (never silently: the
// error says to use WithResolvers).
func (o *options) dnsClient() (*dnsq.Client, error) {
	resolvers := o.resolvers
	if len(resolvers) == 0 {
		sys, err := dnsq.SystemResolvers(dnsq.ResolvConf)
		if err != nil {
			return nil, fmt.Errorf("no resolvers configured and %s unusable: %w (use WithResolvers)", dnsq.ResolvConf, err)
		}

		resolvers = sys
	}

	return dnsq.New(dnsq.Config{
		Resolvers: resolvers, Timeout: o.dnsTimeout, Authoritative: o.authoritative,
		NameserverPort: testseam.NameserverPort(o.ctx), // tests only
	})
}

// account is the account cfg's user holds, with the prior keys of the
// options.
func (o *options) account(cfg *lego.Config) (draft.Account, error) {
	tp, err := draft.Thumbprint(cfg.User.GetPrivateKey())
	if err != nil {
		return draft.Account{}, err
	}

	return draft.Account{URL: cfg.User.GetRegistration().URI, Thumbprint: tp, PriorThumbprints: o.priorKeys}, nil
}
