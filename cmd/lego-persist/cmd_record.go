package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/audit"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/urfave/cli/v2"
)

// defaultTTL is the TTL printed with records. A CA may reuse a validation no
// longer than the record's TTL; an hour balances that against DNS load.
const defaultTTL = 3600

func recordCommand() *cli.Command {
	return &cli.Command{
		Name:  "record",
		Usage: "Print the _validation-persist TXT record(s) to publish for --domains (or --domains-file), without ordering",
		Description: "The records are computed from the CA's directory and the stored account alone: no order is created," +
			" so any number of domains costs no rate limit. The draft the CA speaks is detected from its directory" +
			" (draft-02 when meta.accountHashPrefix is present: the accounturi is then hashed from the account key," +
			" per domain, or once for all with --" + flgPersistAnyDomain + ").",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON (one object per domain) instead of zone-file lines."},
			&cli.UintFlag{Name: flgTTL, Value: defaultTTL, Usage: "TTL of the printed records, in seconds."},
		},
		Action: recordAction,
	}
}

// recordLine is one record to publish (the --json form). Form is the
// accounturi form: account-url (draft-00/01), exact or any-domain (draft-02).
type recordLine struct {
	Domain     string        `json:"domain"`
	Name       string        `json:"name"`
	Value      string        `json:"value"`
	Issuer     string        `json:"issuer"`
	AccountURI string        `json:"accounturi"`
	Draft      draft.Version `json:"draft"`
	Form       string        `json:"form"`
	TTL        uint32        `json:"ttl"`
	Zone       string        `json:"zone"`
}

func recordAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if len(set.domains) == 0 {
		return usageErrorf("pass --%s/-d (repeatable) or --%s", flgDomains, flgDomainsFile)
	}

	ttl := c.Uint(flgTTL)
	if ttl == 0 || ttl > 1<<31-1 {
		return usageErrorf("--%s must be between 1 and 2147483647 seconds", flgTTL)
	}

	view, _, err := loadCAView(c, set)
	if err != nil {
		return err
	}

	if set.anyDomain && view.meta.Version() != draft.Draft02 {
		log.Warnf("--%s has no effect: %s speaks %s, whose records hold the account URL", flgPersistAnyDomain, set.server, view.meta.Version())
	}

	lines, err := recordsFor(set, view, set.domains, uint32(ttl))
	if err != nil {
		return err
	}

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		return enc.Encode(lines)
	}

	printed := map[string]bool{}

	for _, l := range lines {
		if !printed[l.Zone] {
			printed[l.Zone] = true
			fmt.Fprintln(c.App.Writer, l.Zone)
		}
	}

	return nil
}

// recordsFor computes the record of every domain, in the order given.
// Domains that share a record name (example.com and *.example.com) share one
// record, with policy=wildcard when any of them needs it.
func recordsFor(set *settings, view *caView, domains []string, ttl uint32) ([]recordLine, error) {
	type group struct {
		domains  []string
		wildcard bool
	}

	groups := map[string]*group{}

	var (
		order     []string
		perDomain [][2]string // normalized domain, record name
	)

	for _, d := range domains {
		norm, err := record.NormalizeDomain(d)
		if err != nil {
			return nil, usageErrorf("--%s: %w", flgDomains, err)
		}

		name, err := record.RecordName(norm)
		if err != nil {
			return nil, usageErrorf("--%s: %w", flgDomains, err)
		}

		g, ok := groups[name]
		if !ok {
			g = &group{}
			groups[name] = g
			order = append(order, name)
		}

		g.domains = append(g.domains, norm)
		perDomain = append(perDomain, [2]string{norm, name})
		g.wildcard = g.wildcard || strings.HasPrefix(norm, "*.") || set.wildcard
	}

	issuer := view.issuers[0]
	version := view.meta.Version()

	form, formName := draft.FormExact, audit.FormExact

	switch {
	case version != draft.Draft02:
		formName = audit.FormAccountURL
	case set.anyDomain:
		form, formName = draft.FormAnyDomain, audit.FormAnyDomain
	}

	byName := make(map[string]recordLine, len(order))

	for _, name := range order {
		g := groups[name]
		sort.Strings(g.domains)
		base := strings.TrimPrefix(g.domains[0], "*.")

		uri, err := draft.AccountURI(version, view.meta, view.acct, base, form)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", base, err)
		}

		value := record.Value{Issuer: issuer, AccountURI: uri, Wildcard: g.wildcard, PersistUntil: set.persistUntil}.String()

		byName[name] = recordLine{
			Name:       name,
			Value:      value,
			Issuer:     issuer,
			AccountURI: uri,
			Draft:      version,
			Form:       formName,
			TTL:        ttl,
			Zone:       record.ZoneLine(name, ttl, value),
		}
	}

	lines := make([]recordLine, 0, len(perDomain))

	for _, dn := range perDomain {
		l := byName[dn[1]]
		l.Domain = dn[0]
		lines = append(lines, l)
	}

	return lines, nil
}
