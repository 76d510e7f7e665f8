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
			" ok, missing, wrong-account, wrong-issuer, no-wildcard-policy, expired, expiring",
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
		AccountURIs: func(domain string) ([]string, error) {
			return draft.AccountURIs(view.meta.Version(), view.meta, view.acct, domain)
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
	}

	_ = tw.Flush()
}
