// Package draft holds what differs between the versions of
// draft-ietf-acme-dns-persist that CAs speak: where the challenge carries its
// issuer names, whether it carries an accounturi, what the directory's meta
// announces, and which accounturi a record must hold. The record syntax
// itself is shared by all versions and lives in internal/record.
//
// Adding a draft means adding a Version, teaching Detect and DecodeChallenge
// its fields, and teaching AccountURIs its value.
package draft

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/lego-persist/lego-persist/internal/record"
)

// ChallengeType is the ACME challenge type of every version.
const ChallengeType = "dns-persist-01"

// Version is a draft version of dns-persist-01.
type Version int

// The versions in the field.
const (
	// Draft00 challenges carry issuer-domain-names but no accounturi; the
	// record holds the account URL.
	Draft00 Version = iota
	// Draft01 challenges carry issuer-domain-names and accounturi (the raw
	// account URL, which the record holds). Pebble v2.10.x, LE staging.
	Draft01
	// Draft02 challenges carry issuerDomainNames; the directory announces
	// accountHashPrefix and the record holds a hashed accounturi.
	Draft02
)

func (v Version) String() string {
	switch v {
	case Draft00:
		return "draft-00"
	case Draft01:
		return "draft-01"
	case Draft02:
		return "draft-02"
	default:
		return fmt.Sprintf("draft-%02d", int(v))
	}
}

// MarshalText makes versions print as "draft-01" in JSON.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Meta is what a directory's meta object says about dns-persist-01.
type Meta struct {
	// CAAIdentities is meta.caaIdentities (all drafts).
	CAAIdentities []string `json:"caaIdentities,omitempty"`
	// IssuerDomainNames is meta.issuerDomainNames (draft-02).
	IssuerDomainNames []string `json:"issuerDomainNames,omitempty"`
	// AccountHashPrefix is meta.accountHashPrefix (draft-02); its presence
	// means the CA speaks draft-02.
	AccountHashPrefix string `json:"accountHashPrefix,omitempty"`
	// IssuerNamesNote says why a draft-02 directory's issuerDomainNames
	// were set aside (missing or nonconforming, draft-02 §3.2: the CA then
	// offers no pre-provisioning); "" when they are usable.
	IssuerNamesNote string `json:"-"`
}

// ParseDirectory reads the dns-persist-01 parts of a raw ACME directory.
func ParseDirectory(raw []byte) (Meta, error) {
	var dir struct {
		Meta Meta `json:"meta"`
	}

	if err := json.Unmarshal(raw, &dir); err != nil {
		return Meta{}, fmt.Errorf("decode ACME directory: %w", err)
	}

	m := dir.Meta

	if m.AccountHashPrefix != "" {
		// draft-02 §3.2: a missing or nonconforming D only means the CA
		// offers no pre-provisioning; it is not an error.
		if err := record.ValidateIssuerDomainNames(m.IssuerDomainNames); err != nil {
			m.IssuerNamesNote = fmt.Sprintf("directory meta.issuerDomainNames unusable (%v): records can be computed only from a challenge", err)
			m.IssuerDomainNames = nil
		}
	}

	return m, nil
}

// caaIdentities is meta.caaIdentities normalized (I of draft-02 §3.2);
// entries that do not normalize are left out.
func (m Meta) caaIdentities() []string {
	out := make([]string, 0, len(m.CAAIdentities))

	for _, id := range m.CAAIdentities {
		if n, err := record.NormalizeDomain(strings.TrimSuffix(id, ".")); err == nil && !strings.HasPrefix(n, "*.") {
			out = append(out, n)
		}
	}

	return out
}

// Version is the draft announced by the directory alone: Draft02 when it
// names an accountHashPrefix, else Draft01 (draft-00 and draft-01 CAs publish
// the same directory; the challenge tells them apart).
func (m Meta) Version() Version {
	if m.AccountHashPrefix != "" {
		return Draft02
	}

	return Draft01
}

// Issuers is the list of issuer-domain-names a record may name before any
// challenge is seen: meta.issuerDomainNames for draft-02, else caaIdentities.
func (m Meta) Issuers() []string {
	if len(m.IssuerDomainNames) > 0 {
		return m.IssuerDomainNames
	}

	return m.CAAIdentities
}

// Challenge is a dns-persist-01 challenge object with the fields lego's
// acme.Challenge does not keep.
type Challenge struct {
	URL               string
	Status            string
	IssuerDomainNames []string
	// AccountURI is the challenge's accounturi; empty for draft-00 and draft-02.
	AccountURI string
	Version    Version
}

type wireChallenge struct {
	Type       string   `json:"type"`
	URL        string   `json:"url"`
	Status     string   `json:"status"`
	AccountURI *string  `json:"accounturi"`
	Issuers01  []string `json:"issuer-domain-names"`
	Issuers02  []string `json:"issuerDomainNames"`
}

// ErrBadChallenge marks a challenge object that breaks the draft's rules.
var ErrBadChallenge = errors.New("invalid dns-persist-01 challenge")

// DecodeChallenge decodes and validates one raw dns-persist-01 challenge
// object, given what the CA's directory said. The version is taken from the
// directory (draft-02 announces itself there) and otherwise from the fields
// the challenge carries.
func DecodeChallenge(raw []byte, meta Meta) (Challenge, error) {
	var w wireChallenge
	if err := json.Unmarshal(raw, &w); err != nil {
		return Challenge{}, fmt.Errorf("%w: %w", ErrBadChallenge, err)
	}

	if w.Type != ChallengeType {
		return Challenge{}, fmt.Errorf("%w: type is %q", ErrBadChallenge, w.Type)
	}

	c := Challenge{URL: w.URL, Status: w.Status}

	switch {
	case meta.Version() == Draft02 || (w.Issuers02 != nil && w.Issuers01 == nil):
		c.Version = Draft02
		c.IssuerDomainNames = w.Issuers02
	case w.AccountURI != nil:
		c.Version = Draft01
		c.IssuerDomainNames = w.Issuers01
		c.AccountURI = *w.AccountURI
	default:
		c.Version = Draft00
		c.IssuerDomainNames = w.Issuers01
	}

	if err := record.ValidateIssuerDomainNames(c.IssuerDomainNames); err != nil {
		return Challenge{}, fmt.Errorf("%w: issuer names: %w", ErrBadChallenge, err)
	}

	if c.Version == Draft01 && c.AccountURI == "" {
		return Challenge{}, fmt.Errorf("%w: empty accounturi", ErrBadChallenge)
	}

	if c.Version == Draft02 {
		if err := checkIssuerSets(c.IssuerDomainNames, meta); err != nil {
			return Challenge{}, err
		}
	}

	return c, nil
}

// checkIssuerSets applies draft-02 §3.2 to a challenge's issuer names C:
// the directory's issuerDomainNames D must all be offered (D ⊆ C; a
// challenge MAY offer more) and, when the directory advertises
// caaIdentities I, every offered name must be one of them (C ⊆ I).
func checkIssuerSets(c []string, meta Meta) error {
	for _, d := range meta.IssuerDomainNames {
		if !slices.Contains(c, d) {
			return fmt.Errorf("%w: the directory's issuerDomainNames %q include %q, which the challenge (offering %q) lacks (draft-02 §3.2 requires every directory name in every challenge)",
				ErrBadChallenge, meta.IssuerDomainNames, d, c)
		}
	}

	if len(meta.CAAIdentities) == 0 {
		return nil
	}

	ids := meta.caaIdentities()
	for _, name := range c {
		if !slices.Contains(ids, name) {
			return fmt.Errorf("%w: the challenge offers issuer name %q, which is not among the directory's caaIdentities %q (draft-02 §3.2 requires every offered name there)",
				ErrBadChallenge, name, meta.CAAIdentities)
		}
	}

	return nil
}

// Account identifies the ACME account a record authorizes.
type Account struct {
	// URL is the account URL (the JWS kid).
	URL string
	// Thumbprint is the RFC 7638 JWK thumbprint of the account key,
	// base64url without padding (see Thumbprint).
	Thumbprint string
	// PriorThumbprints are the thumbprints of the account's earlier keys
	// (after key rollovers). A draft-02 CA keeps accepting values hashed
	// with any of them until the account is deactivated (draft-02 §4.2).
	PriorThumbprints []string
}

// Thumbprint computes the RFC 7638 SHA-256 thumbprint of an account key's
// public part, base64url without padding: the string of a key authorization.
func Thumbprint(key crypto.PrivateKey) (string, error) {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return "", fmt.Errorf("account key of type %T cannot sign", key)
	}

	jwk := jose.JSONWebKey{Key: signer.Public()}

	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("account key thumbprint: %w", err)
	}

	return base64URL(sum), nil
}

// Form chooses the draft-02 accounturi form.
type Form int

const (
	// FormExact binds the value to the record's domain (the default).
	FormExact Form = iota
	// FormAnyDomain uses "*" as the domain: one value for every domain of the
	// account, at the price that observers can link those domains.
	FormAnyDomain
)

// AccountURI is the accounturi a record for domain must hold for a CA of
// version v. domain is a normalized name without "*." prefix.
func AccountURI(v Version, meta Meta, acct Account, domain string, form Form) (string, error) {
	if acct.URL == "" {
		return "", errors.New("no account URL: register the account first")
	}

	if v != Draft02 {
		return acct.URL, nil
	}

	if meta.AccountHashPrefix == "" {
		return "", errors.New("draft-02 CA without meta.accountHashPrefix in its directory")
	}

	if acct.Thumbprint == "" {
		return "", errors.New("draft-02 needs the account key's thumbprint")
	}

	d := domain
	if form == FormAnyDomain {
		d = "*"
	}

	return record.HashAccountURI(meta.AccountHashPrefix, d, acct.Thumbprint, acct.URL)
}

// AccountURIs lists every accounturi that authorizes acct for domain at a
// CA of version v. For draft-02: the exact and the any-domain form of the
// current key first (in that order; [0] is what to publish), then both
// forms of every prior key, which the CA still accepts (draft-02 §4.2).
func AccountURIs(v Version, meta Meta, acct Account, domain string) ([]string, error) {
	exact, err := AccountURI(v, meta, acct, domain, FormExact)
	if err != nil {
		return nil, err
	}

	if v != Draft02 {
		return []string{exact}, nil
	}

	uris := []string{exact}

	for i, tp := range append([]string{acct.Thumbprint}, acct.PriorThumbprints...) {
		k := Account{URL: acct.URL, Thumbprint: tp}

		for _, form := range []Form{FormExact, FormAnyDomain} {
			if i == 0 && form == FormExact {
				continue
			}

			u, err := AccountURI(v, meta, k, domain, form)
			if err != nil {
				return nil, err
			}

			uris = append(uris, u)
		}
	}

	return uris, nil
}

// FetchDirectory GETs the ACME directory at dirURL through hc (at most
// 1 MiB) and parses its dns-persist-01 parts (ParseDirectory).
func FetchDirectory(ctx context.Context, hc *http.Client, dirURL, userAgent string) (Meta, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, dirURL, nil)
	if err != nil {
		return Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	if userAgent != "" {
		req.Header.Set("User-Agent", userAgent)
	}

	resp, err := hc.Do(req)
	if err != nil {
		return Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	if resp.StatusCode != http.StatusOK {
		return Meta{}, fmt.Errorf("directory %s: HTTP %s", dirURL, resp.Status)
	}

	meta, err := ParseDirectory(raw)
	if err != nil {
		return Meta{}, fmt.Errorf("directory %s: %w", dirURL, err)
	}

	return meta, nil
}
