package persist

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

// ErrNoPreProvisioning marks a draft-02 CA whose directory announces no
// usable issuerDomainNames: records can then be computed only from a
// challenge (draft-02 §3.2), that is by ordering.
var ErrNoPreProvisioning = errors.New("the CA's directory allows no pre-provisioning")

// Record is the TXT record a domain needs at a CA, computed from the CA's
// directory and the registered account alone (no order).
type Record struct {
	// Domain is the name as given ("*." kept).
	Domain string `json:"domain"`
	// Name is the record name, "_validation-persist.<base>." (the
	// wildcard label stripped, lowercase A-labels, trailing dot).
	Name string `json:"name"`
	// Value is the whole record value, not split into 255-octet strings.
	Value string `json:"value"`
	// Issuer is the issuer-domain-name the value names.
	Issuer string `json:"issuer"`
	// AccountURI is the value's accounturi.
	AccountURI string `json:"accounturi"`
	// Draft is the draft the CA speaks ("draft-01": draft-00 and draft-01
	// CAs accept the same records; "draft-02").
	Draft string `json:"draft"`
	// Form is the accounturi form: "account-url" (draft-00/01), "exact" or
	// "any-domain" (draft-02).
	Form string `json:"form"`
	// TTL is the TTL of ZoneLine (WithRecordTTL).
	TTL uint32 `json:"ttl"`
	// ZoneLine is the record as an RFC 1035 zone-file line, the value split
	// into quoted strings of at most 255 octets.
	ZoneLine string `json:"zone"`
}

// CA is what a CA's directory says about dns-persist-01.
type CA struct {
	// Draft is the draft the directory announces ("draft-02" with
	// meta.accountHashPrefix, else "draft-01").
	Draft string `json:"draft"`
	// IssuerDomainNames are the names records may name before any challenge
	// is seen: meta.issuerDomainNames (draft-02) or meta.caaIdentities, or
	// the one of WithIssuerDomainName.
	IssuerDomainNames []string `json:"issuerDomainNames"`
	// AccountHashPrefix is meta.accountHashPrefix (draft-02).
	AccountHashPrefix string `json:"accountHashPrefix,omitempty"`
	// Note explains unusable directory data (a nonconforming
	// issuerDomainNames, say); "" when there is none.
	Note string `json:"note,omitempty"`
}

// caState is what Records and Check know without ordering.
type caState struct {
	o       options
	meta    draft.Meta
	issuers []string
	acct    draft.Account
	proof   *accountProof
}

// Directory reads what cfg's CA announces about dns-persist-01: one GET of
// the directory, nothing else.
func Directory(ctx context.Context, cfg *lego.Config, opts ...Option) (CA, error) {
	if cfg == nil || cfg.HTTPClient == nil {
		return CA{}, errors.New("persist: Directory needs a lego config with an HTTP client")
	}

	o, err := buildOptions(opts)
	if err != nil {
		return CA{}, err
	}

	meta, err := fetchDirectory(ctx, cfg)
	if err != nil {
		return CA{}, err
	}

	return caOf(meta, issuersFor(meta, o)), nil
}

func caOf(meta draft.Meta, issuers []string) CA {
	return CA{
		Draft:             meta.Version().String(),
		IssuerDomainNames: issuers,
		AccountHashPrefix: meta.AccountHashPrefix,
		Note:              meta.IssuerNamesNote,
	}
}

// issuersFor is the issuer list records may name: the directory's, or the
// one of WithIssuerDomainName.
func issuersFor(meta draft.Meta, o options) []string {
	if o.issuer != "" {
		return []string{o.issuer}
	}

	return meta.Issuers()
}

// loadCA reads the directory and the account for Records and Check.
func loadCA(ctx context.Context, cfg *lego.Config, opts []Option) (*caState, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}

	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}

	meta, err := fetchDirectory(ctx, cfg)
	if err != nil {
		return nil, err
	}

	st := &caState{o: o, meta: meta, issuers: meta.Issuers()}

	if meta.Version() == draft.Draft02 {
		log.Infof("%s: CA speaks draft-02 (accountHashPrefix %s, issuerDomainNames %q)", cfg.CADirURL, meta.AccountHashPrefix, meta.IssuerDomainNames)
	}

	if meta.IssuerNamesNote != "" {
		log.Warnf("%s: %s", cfg.CADirURL, meta.IssuerNamesNote)
	}

	if o.issuer != "" {
		if len(st.issuers) > 0 && !slices.Contains(st.issuers, o.issuer) {
			return nil, fmt.Errorf("persist: issuer-domain-name %q is not among those %s announces (%s)",
				o.issuer, cfg.CADirURL, strings.Join(st.issuers, ", "))
		}

		st.issuers = []string{o.issuer}
	}

	if len(st.issuers) == 0 {
		if meta.Version() == draft.Draft02 {
			return nil, fmt.Errorf("persist: %s: %w (%s); order a certificate instead, which reads the names from the challenge",
				cfg.CADirURL, ErrNoPreProvisioning, orNone(meta.IssuerNamesNote))
		}

		return nil, fmt.Errorf("persist: the directory of %s names no issuer-domain-names (meta.caaIdentities); use WithIssuerDomainName", cfg.CADirURL)
	}

	if st.acct, err = o.account(cfg); err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}

	st.proof, err = newAccountProof(cfg.HTTPClient, cfg.UserAgent, cfg.CADirURL, st.acct.URL, cfg.User.GetPrivateKey())
	if err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}

	return st, nil
}

func orNone(note string) string {
	if note == "" {
		return "no meta.issuerDomainNames"
	}

	return note
}

// Records computes, for each domain in order, the record to publish at
// cfg's CA from its directory and the registered account alone: no order is
// created, so any number of domains costs no rate limit (draft-02 §4.5,
// pre-provisioning). Domains that share a record name (example.com and
// *.example.com) share one value, with policy=wildcard when any needs it.
//
// Before any value is returned the account is checked at the CA (draft-02
// §4.5, §9.4: POST-as-GET, status valid); an account that is not valid
// gives ErrAccountNotValid and no record. Records honours
// WithIssuerDomainName, WithPersistUntil, WithWildcardPolicy,
// WithAnyDomainAccountURI, WithPriorAccountKeys and WithRecordTTL; the DNS
// options do not apply (it asks no DNS server).
func Records(ctx context.Context, cfg *lego.Config, domains []string, opts ...Option) ([]Record, error) {
	st, err := loadCA(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}

	recs, err := st.records(domains)
	if err != nil {
		return nil, err
	}

	if err := st.proof.prove(ctx); err != nil {
		return nil, fmt.Errorf("persist: %w", err)
	}

	return recs, nil
}

// records plans the values of domains (see Records), without the account
// check.
func (st *caState) records(domains []string) ([]Record, error) {
	type group struct {
		base     string
		wildcard bool
	}

	groups := map[string]*group{}
	names := make([]string, len(domains))

	for i, d := range domains {
		norm, err := record.NormalizeDomain(d)
		if err != nil {
			return nil, fmt.Errorf("persist: %q: %w", d, err)
		}

		name, err := record.RecordName(norm)
		if err != nil {
			return nil, fmt.Errorf("persist: %q: %w", d, err)
		}

		g := groups[name]
		if g == nil {
			g = &group{base: strings.TrimPrefix(norm, "*.")}
			groups[name] = g
		}

		g.wildcard = g.wildcard || strings.HasPrefix(norm, "*.")
		names[i] = name
	}

	version := st.meta.Version()
	issuer := st.issuers[0]
	byName := make(map[string]Record, len(groups))

	for name, g := range groups {
		uris, err := st.o.accountURIs(version, st.meta, st.acct, g.base)
		if err != nil {
			return nil, fmt.Errorf("persist: %s: %w", g.base, err)
		}

		value := st.o.value(issuer, uris[0], g.wildcard)
		byName[name] = Record{
			Name:       name,
			Value:      value,
			Issuer:     issuer,
			AccountURI: uris[0],
			Draft:      version.String(),
			Form:       st.o.form(version),
			TTL:        st.o.recordTTL,
			ZoneLine:   record.ZoneLine(name, st.o.recordTTL, value),
		}
	}

	out := make([]Record, len(domains))
	for i, d := range domains {
		out[i] = byName[names[i]]
		out[i].Domain = d
	}

	return out, nil
}

// fetchDirectory reads the dns-persist-01 parts of cfg's ACME directory.
func fetchDirectory(ctx context.Context, cfg *lego.Config) (draft.Meta, error) {
	meta, err := draft.FetchDirectory(ctx, cfg.HTTPClient, cfg.CADirURL, cfg.UserAgent)
	if err != nil {
		return draft.Meta{}, fmt.Errorf("persist: %w", err)
	}

	return meta, nil
}
