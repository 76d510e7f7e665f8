package persist

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
)

// ErrCannotDelete marks a Removal whose publisher cannot delete records.
var ErrCannotDelete = errors.New("the publisher cannot delete records")

// Removal is what Remove did with one of this account's values.
type Removal struct {
	// Domain is the name as given.
	Domain string `json:"domain"`
	// Name is where the value was found: the record name, or the end of
	// its CNAME chain.
	Name string `json:"name"`
	// Value is the value removed (or to remove).
	Value string `json:"value"`
	// ZoneLine is the value as a zone-file line, for removing it by hand.
	ZoneLine string `json:"zone"`
	// Err is why it was not removed; nil when it was. A Removal with an
	// empty Value is a domain that could not be looked up (Err says why).
	Err error `json:"-"`
}

// Remove deletes this account's values at the record names of domains at
// cfg's CA through pub, and nothing else: every value that names one of the
// CA's issuer-domain-names (however spelled) and one of this account's
// accounturi values (every draft-02 form and prior key included). Other
// CAs' and other accounts' values stay. Removing the value withdraws the
// authorization it gave (a CA may still reuse validations for up to the
// record's TTL).
//
// pub nil or without Unpublish yields Removals with ErrCannotDelete and
// the zone-file line to delete by hand. A domain with no value of ours
// yields no Removal; one that could not be looked up yields a Removal with
// an empty Value and the error. The error is non-nil only when nothing
// could be tried (no directory, no account, bad options).
func Remove(ctx context.Context, cfg *lego.Config, pub Publisher, domains []string, opts ...Option) ([]Removal, error) {
	st, err := loadCA(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}

	dns, err := st.o.dnsClient()
	if err != nil {
		return nil, err
	}

	unpub, canDelete := pub.(Unpublisher)

	var out []Removal

	for _, d := range domains {
		found, err := st.ours(ctx, dns, d)
		if err != nil {
			out = append(out, Removal{Domain: d, Err: err})
			continue
		}

		for _, f := range found {
			r := Removal{Domain: d, Name: f[0], Value: f[1], ZoneLine: record.ZoneLine(f[0], st.o.recordTTL, f[1])}

			switch {
			case !canDelete:
				r.Err = fmt.Errorf("%w; delete this value by hand: %s", ErrCannotDelete, r.ZoneLine)
			default:
				r.Err = unpub.Unpublish(ctx, f[0], f[1])
			}

			out = append(out, r)
		}
	}

	return out, nil
}

// txtLookuper looks up TXT records; *dnsq.Client implements it.
type txtLookuper interface {
	LookupTXT(ctx context.Context, fqdn string) ([]dnsq.Answer, error)
}

// ours lists the distinct (name, value) pairs of this account's values for
// domain, as every checked server answers.
func (st *caState) ours(ctx context.Context, dns txtLookuper, domain string) ([][2]string, error) {
	norm, err := record.NormalizeDomain(domain)
	if err != nil {
		return nil, err
	}

	name, err := record.RecordName(norm)
	if err != nil {
		return nil, err
	}

	uris, err := st.o.accountURIs(st.meta.Version(), st.meta, st.acct, strings.TrimPrefix(norm, "*."))
	if err != nil {
		return nil, err
	}

	answers, err := dns.LookupTXT(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("TXT lookup of %s: %w", name, err)
	}

	var (
		out  [][2]string
		errs []error
	)

	seen := map[[2]string]bool{}

	for _, a := range answers {
		if a.Err != nil {
			errs = append(errs, a.Err)
			continue
		}

		at := name
		if a.Name != "" {
			at = a.Name
		}

		for _, raw := range a.Values {
			f := [2]string{at, raw}
			if record.Names(raw, st.issuers, uris) && !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}

	if len(out) == 0 && len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	return out, nil
}
