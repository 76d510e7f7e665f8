package account

import (
	"context"
	"fmt"
	"strings"

	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/internal/record"
)

// Meta reads the dns-persist-01 parts of the CA's directory.
func (c *Client) Meta(ctx context.Context) (draft.Meta, error) {
	return draft.FetchDirectory(ctx, c.httpClient, c.dirURL, c.userAgent)
}

// Implied is one record value an account implies at a CA without naming a
// domain.
type Implied struct {
	Issuer string `json:"issuer"`
	Value  string `json:"value"`
	// Draft is the draft the CA's directory announces.
	Draft string `json:"draft"`
	// Form is "account-url" (draft-00/01: the value holds the account URL
	// and serves every domain) or "any-domain" (draft-02: the hashed value
	// with "*" as the domain, valid for every domain of the account).
	Form string `json:"form"`
}

// ImpliedRecords lists, per issuer name, the value that authorizes the
// account (url, key thumbprint) at a CA with meta for any domain: the
// account-URL form for draft-00/01 CAs, the hashed any-domain form for
// draft-02 CAs. issuers empty means the CA's own (meta.Issuers()).
func ImpliedRecords(meta draft.Meta, issuers []string, url, thumbprint string) ([]Implied, error) {
	if len(issuers) == 0 {
		issuers = meta.Issuers()
	}

	if len(issuers) == 0 {
		return nil, fmt.Errorf("the directory names no issuer-domain-names (meta.caaIdentities)")
	}

	v := meta.Version()
	form := "account-url"

	if v == draft.Draft02 {
		form = "any-domain"
	}

	uri, err := draft.AccountURI(v, meta, draft.Account{URL: url, Thumbprint: thumbprint}, "*", draft.FormAnyDomain)
	if err != nil {
		return nil, err
	}

	out := make([]Implied, 0, len(issuers))
	for _, iss := range issuers {
		out = append(out, Implied{
			Issuer: iss,
			Value:  record.Value{Issuer: iss, AccountURI: uri}.String(),
			Draft:  v.String(),
			Form:   form,
		})
	}

	return out, nil
}

// Change is one draft-02 record to re-publish after a key rollover: New at
// Name replaces Old, which stays valid at the CA until the account is
// deactivated (draft-02 §4.2) and can be removed once New is served.
type Change struct {
	// Name is the record name with the trailing dot.
	Name string `json:"name"`
	// Old is the value hashed with an earlier key.
	Old string `json:"old"`
	// New is the same value hashed with the current key.
	New string `json:"new"`
}

// Republish plans the draft-02 changes after a rollover to the key with
// thumbprint newTP: every active inventory entry of this account (url) at
// this CA (ca, the directory URL) hashed with another key, in its own form
// (exact domain or any-domain) and with its issuer, policy and
// persistUntil. Draft-00/01 values hold the account URL, which a rollover
// does not change: they need nothing.
func Republish(meta draft.Meta, ca, url, newTP string, entries []inventory.Entry) ([]Change, error) {
	if meta.Version() != draft.Draft02 {
		return nil, nil
	}

	current := map[string]bool{}

	for _, e := range entries {
		if e.Active() && e.KeyThumbprint == newTP {
			current[e.Name+" "+e.Value] = true
		}
	}

	var out []Change

	for _, e := range entries {
		if !e.Active() || e.CA != ca || e.AccountURL != url || e.Draft != draft.Draft02.String() ||
			e.KeyThumbprint == "" || e.KeyThumbprint == newTP {
			continue
		}

		c, err := rehash(meta, url, newTP, e)
		if err != nil {
			return nil, err
		}

		if current[c.Name+" "+c.New] {
			continue
		}

		current[c.Name+" "+c.New] = true
		out = append(out, c)
	}

	return out, nil
}

func rehash(meta draft.Meta, url, newTP string, e inventory.Entry) (Change, error) {
	v, err := record.Parse(e.Value)
	if err != nil {
		return Change{}, fmt.Errorf("%s: inventory value %q: %w", e.Name, e.Value, err)
	}

	domain := strings.TrimPrefix(strings.TrimSuffix(e.Name, "."), record.Label+".")
	old := draft.Account{URL: url, Thumbprint: e.KeyThumbprint}

	form := draft.FormExact

	anyDomain, err := draft.AccountURI(draft.Draft02, meta, old, domain, draft.FormAnyDomain)
	if err != nil {
		return Change{}, fmt.Errorf("%s: %w", e.Name, err)
	}

	if v.AccountURI == anyDomain {
		form = draft.FormAnyDomain
	}

	v.AccountURI, err = draft.AccountURI(draft.Draft02, meta, draft.Account{URL: url, Thumbprint: newTP}, domain, form)
	if err != nil {
		return Change{}, fmt.Errorf("%s: %w", e.Name, err)
	}

	return Change{Name: e.Name, Old: e.Value, New: v.String()}, nil
}

// RecordName is the record name of domain, with the trailing dot.
func RecordName(domain string) (string, error) { return record.RecordName(domain) }

// ZoneLine is the zone-file line of value at name with ttl.
func ZoneLine(name string, ttl uint32, value string) string { return record.ZoneLine(name, ttl, value) }
