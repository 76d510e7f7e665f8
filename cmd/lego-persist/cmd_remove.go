package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/lego-persist/lego-persist/internal/audit"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

func removeCommand() *cli.Command {
	return &cli.Command{
		Name: "remove",
		Usage: "Delete this account's _validation-persist record value(s) for --domains through --dns-persist PROVIDER;" +
			" other values (other CAs, other accounts) stay",
		Action: removeAction,
	}
}

// found is one of our record values, where it was found.
type found struct {
	name  string
	value string
}

func removeAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if len(set.domains) == 0 {
		return usageErrorf("pass --%s/-d (repeatable) or --%s", flgDomains, flgDomainsFile)
	}

	if set.publisher == "none" {
		return usageErrorf("remove deletes records through a provider: pass --%s PROVIDER", flgPersist)
	}

	pub, err := set.newPublisher()
	if err != nil {
		return err
	}

	unpub, canDelete := pub.(persist.Unpublisher)

	view, _, err := loadCAView(c, set)
	if err != nil {
		return err
	}

	dns, err := set.dnsClient()
	if err != nil {
		return err
	}

	out := &lineWriter{w: c.App.Writer}
	failed := 0

	for _, domain := range set.domains {
		values, err := ourValues(c, view, dns, domain)
		if err != nil {
			failed++

			out.printf("%s: failed: %v", domain, err)

			continue
		}

		if len(values) == 0 {
			out.printf("%s: nothing to remove (no record for this account and CA)", domain)
			continue
		}

		for _, v := range values {
			if !canDelete {
				failed++

				out.printf("%s: failed: --%s %s cannot delete records; delete this value by hand: %s",
					domain, flgPersist, set.publisher, record.ZoneLine(v.name, defaultTTL, v.value))

				continue
			}

			if err := unpub.Unpublish(c.Context, v.name, v.value); err != nil {
				failed++

				out.printf("%s: failed: %v", domain, err)

				continue
			}

			out.printf("%s: removed %q from %s", domain, v.value, v.name)
		}
	}

	if failed > 0 {
		return errReported
	}

	return nil
}

// ourValues lists the distinct values at the domain's record name that name
// one of the CA's issuers and carry one of this account's accounturi values.
func ourValues(c *cli.Context, view *caView, dns audit.Lookuper, domain string) ([]found, error) {
	name, err := record.RecordName(domain)
	if err != nil {
		return nil, err
	}

	base := strings.TrimPrefix(strings.TrimSuffix(name, "."), record.Label+".")

	uris, err := draft.AccountURIs(view.meta.Version(), view.meta, view.acct, base)
	if err != nil {
		return nil, err
	}

	answers, err := dns.LookupTXT(c.Context, name)
	if err != nil {
		return nil, fmt.Errorf("TXT lookup of %s: %w", name, err)
	}

	var (
		out  []found
		errs []error
	)

	seen := map[found]bool{}

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
			v, err := record.Parse(raw)
			if err != nil || !contains(view.issuers, v.Issuer) || !containsExact(uris, v.AccountURI) {
				continue
			}

			f := found{name: at, value: raw}
			if !seen[f] {
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

func containsExact(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}

	return false
}
