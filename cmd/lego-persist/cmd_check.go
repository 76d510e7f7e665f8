package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lego-persist/lego-persist/internal/audit"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/urfave/cli/v2"
)

// auditParallel bounds concurrent record lookups of check and list.
const auditParallel = 8

func checkCommand() *cli.Command {
	return &cli.Command{
		Name: "check",
		Usage: "Audit the _validation-persist records of --domains (or of every stored certificate's names):" +
			" ok, missing, wrong-account, wrong-issuer, no-wildcard-policy, expired, expiring, malformed, ca-dependent",
		Description: "Records are judged exactly as Pebble and Boulder judge them; a record one of them accepts and the other" +
			" refuses is ca-dependent (publish a canonical one beside it). Every value at a record name is also described:" +
			" this CA's (in the form of the draft the CA speaks), this account's in another draft's form (the raw account" +
			" URL serves draft-00/01 CAs, a hashed value draft-02 CAs), this account's made with an earlier account key" +
			" (prior-key: still accepted until the account is deactivated; republishing is recommended), another" +
			" account's, or another CA's. Exit 1 when any domain is not ok.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON instead of a table."},
			&cli.IntFlag{Name: flgWarnDays, Value: 30, Usage: "Report records whose persistUntil is this many days away or less as expiring."},
		},
		Action: checkAction,
	}
}

func checkAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if c.Int(flgWarnDays) < 0 {
		return usageErrorf("--%s cannot be negative", flgWarnDays)
	}

	auditor, sess, err := newAuditor(c, set)
	if err != nil {
		return err
	}

	domains := set.domains
	if len(domains) == 0 {
		entries, err := sess.store.Certificates(certOptions(c)).List()
		if err != nil {
			return err
		}

		domains = storedNames(entries)
		if len(domains) == 0 {
			return usageErrorf("no --%s given and no certificates stored in %s", flgDomains, set.path)
		}
	}

	results := auditor.CheckAll(c.Context, domains)

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		if err := enc.Encode(results); err != nil {
			return err
		}
	} else {
		printCA(c.App.Writer, set.server, auditor)
		printResults(c.App.Writer, results)
	}

	if audit.Worst(results) != audit.StatusOK {
		return errReported
	}

	return nil
}

// newAuditor builds the auditor from the directory, the stored account and
// the DNS flags.
func newAuditor(c *cli.Context, set *settings) (*audit.Auditor, *session, error) {
	view, sess, err := loadCAView(c, set)
	if err != nil {
		return nil, nil, err
	}

	dns, err := set.dnsClient()
	if err != nil {
		return nil, nil, err
	}

	a := &audit.Auditor{
		DNS:     dns,
		Issuers: view.issuers,
		Meta:    view.meta,
		Account: view.acct,
		Publish: func(domain string) (string, error) {
			lines, err := recordsFor(set, view, []string{domain}, defaultTTL)
			if err != nil {
				return "", err
			}

			return lines[0].Zone, nil
		},
		WarnWithin: time.Duration(c.Int(flgWarnDays)) * 24 * time.Hour,
		Parallel:   auditParallel,
	}

	return a, sess, nil
}

// storedNames is every name of the stored certificates, once.
func storedNames(entries []storage.Entry) []string {
	var out []string

	seen := map[string]bool{}

	for _, e := range entries {
		for _, n := range e.Names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}

	return out
}

// printCA names the draft the CA speaks and its issuer names.
func printCA(w io.Writer, server string, a *audit.Auditor) {
	line := fmt.Sprintf("CA %s speaks %s; issuer names %s", server, a.Meta.Version(), strings.Join(a.Issuers, ", "))

	if a.Meta.Version() == draft.Draft02 {
		line += "; values hashed with an earlier account key stay valid until the account is deactivated"
	}

	fmt.Fprintln(w, line)
}

// printResults prints one row per domain; below a domain that is not ok, or
// whose name carries more than one value, one line per value saying which
// CA and draft it serves, and the record to publish.
func printResults(w io.Writer, results []audit.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tSTATUS\tPERSIST UNTIL\tDETAIL")

	for _, r := range results {
		until := "-"
		if r.PersistUntil != nil {
			until = r.PersistUntil.UTC().Format(time.RFC3339)
		}

		detail := r.Reason
		if r.Server != "" && detail != "" {
			detail = r.Server + ": " + detail
		}

		if detail == "" {
			detail = r.Value
		}

		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Domain, r.Status, until, strings.ReplaceAll(detail, "\n", " "))

		if r.OK() && len(r.Records) <= 1 {
			continue
		}

		// In the DETAIL column, so that the columns stay aligned.
		for _, rec := range r.Records {
			fmt.Fprintf(tw, "\t\t\t%s: %q serves %s\n", rec.Class, rec.Value, rec.Serves)
		}

		if r.Publish != "" {
			fmt.Fprintf(tw, "\t\t\tpublish: %s\n", r.Publish)
		}
	}

	_ = tw.Flush()
}
