package persist

import (
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

// This file is the one place that decides which record value a domain
// needs; the solver (ensure.go) and Records both call it.

// DefaultRecordTTL is the TTL of printed zone-file lines (WithRecordTTL).
// A CA may reuse a validation no longer than the record's TTL; an hour
// balances that against DNS load. Publishers choose their own TTL.
const DefaultRecordTTL = 3600

// accountURIs lists the accounturi values that authorize the account for
// base (a normalized name without "*.") at a CA of version v, the one to
// publish first: the account URL for draft-00/01; for draft-02 the exact
// hashed form, or the any-domain form with WithAnyDomainAccountURI, then
// the other form and the forms of prior keys (still accepted).
func (o *options) accountURIs(v draft.Version, meta draft.Meta, acct draft.Account, base string) ([]string, error) {
	uris, err := draft.AccountURIs(v, meta, acct, base)
	if err != nil {
		return nil, err
	}

	if v == draft.Draft02 && o.anyDomain && len(uris) > 1 {
		uris[0], uris[1] = uris[1], uris[0]
	}

	return uris, nil
}

// value is the canonical record value to publish: policy=wildcard when the
// name needs it or WithWildcardPolicy asks for it, persistUntil from
// WithPersistUntil or now + WithPersistFor.
func (o *options) value(issuer, accountURI string, wildcard bool) string {
	until := o.persistUntil
	if o.persistFor > 0 {
		until = o.now().Add(o.persistFor)
	}

	return record.Value{
		Issuer:       issuer,
		AccountURI:   accountURI,
		Wildcard:     wildcard || o.wildcardPolicy,
		PersistUntil: until,
	}.String()
}

// form names the accounturi form of what accountURIs puts first.
func (o *options) form(v draft.Version) string {
	switch {
	case v != draft.Draft02:
		return "account-url"
	case o.anyDomain:
		return "any-domain"
	default:
		return "exact"
	}
}
