package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

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
			&cli.StringFlag{Name: flgFormat, Value: formatTable, Usage: "Output format: table, json, or prometheus (node_exporter textfile format: record status, persistUntil, certificate expiry, check time)."},
			&cli.BoolFlag{Name: flgJSON, Usage: "Same as --" + flgFormat + " json."},
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

	format := c.String(flgFormat)
	if c.Bool(flgJSON) {
		format = formatJSON
	}

	switch format {
	case formatTable, formatJSON, formatPrometheus:
	default:
		return usageErrorf("--%s %q: want table, json or prometheus", flgFormat, format)
	}

	sess, err := openRegistered(c, set)
	if err != nil {
		return err
	}

	entries, err := sess.store.Certificates(certOptions(c)).List()
	if err != nil {
		return err
	}

	domains := set.domains
	if len(domains) == 0 {
		domains = storedNames(entries)
		if len(domains) == 0 {
			return usageErrorf("no --%s given and no certificates stored in %s", flgDomains, set.path)
		}
	}

	findings, ca, err := auditNames(c, set, sess, domains)
	if err != nil {
		return err
	}

	checked := sess.withInventory(c.Context, findings)

	switch format {
	case formatJSON:
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		if err := enc.Encode(checked); err != nil {
			return err
		}
	case formatPrometheus:
		if err := writeMetrics(c.App.Writer, set.server, findings, certExpiry(entries, domains), time.Now()); err != nil {
			return err
		}
	default:
		printCA(c.App.Writer, set.server, ca)
		printResults(c.App.Writer, checked)
	}

	if persist.Worst(findings) != persist.StatusOK {
		return errReported
	}

	return nil
}

// openRegistered opens the stored account, which must be registered: its
// URL is what the records authorize. Requests to the CA end with the
// command's context.
func openRegistered(c *cli.Context, set *settings) (*session, error) {
	sess, err := openSession(c, set, false)
	if err != nil {
		return nil, err
	}

	bindToContext(c.Context, sess.cfg.HTTPClient)

	if !sess.account.Registered() {
		return nil, fmt.Errorf("account %s at %s is not registered yet: run 'lego-persist ... run' (or 'record') first", userID(set.email), set.server)
	}

	return sess, nil
}

// auditNames audits domains through the library (persist.Check) with the
// DNS and record flags, and reads what the CA announces for printCA.
func auditNames(c *cli.Context, set *settings, sess *session, domains []string) ([]persist.Finding, persist.CA, error) {
	opts := append([]persist.Option{
		persist.WithWarnWithin(time.Duration(c.Int(flgWarnDays)) * 24 * time.Hour),
	}, set.persistOpts...)

	ca, err := persist.Directory(c.Context, sess.cfg, opts...)
	if err != nil {
		return nil, persist.CA{}, err
	}

	findings, err := persist.Check(c.Context, sess.cfg, domains, opts...)
	if err != nil {
		return nil, persist.CA{}, err
	}

	return findings, ca, nil
}

// certExpiry maps each of names held by a stored certificate to the
// latest expiry among the certificates holding it.
func certExpiry(entries []storage.Entry, names []string) map[string]time.Time {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}

	out := map[string]time.Time{}

	for _, e := range entries {
		for _, n := range e.Names {
			if want[n] && e.NotAfter.After(out[n]) {
				out[n] = e.NotAfter
			}
		}
	}

	return out
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
func printCA(w io.Writer, server string, ca persist.CA) {
	line := fmt.Sprintf("CA %s speaks %s; issuer names %s", server, ca.Draft, strings.Join(ca.IssuerDomainNames, ", "))

	if ca.AccountHashPrefix != "" {
		line += "; values hashed with an earlier account key stay valid until the account is deactivated"
	}

	fmt.Fprintln(w, line)
}

// printResults prints one row per domain; below a domain that is not ok, or
// whose name carries more than one value, one line per value saying which
// CA and draft it serves, and the record to publish.
func printResults(w io.Writer, results []checkedFinding) {
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

		for _, d := range r.Drift {
			fmt.Fprintf(tw, "\t\t\tdrift: %q, %s on %s, is no longer served\n", d.Value, madeBy(d.Publisher), d.When.Format(time.RFC3339))
		}

		if r.Note != "" {
			fmt.Fprintf(tw, "\t\t\tnote: %s\n", r.Note)
		}

		if r.OK() && len(r.Records) <= 1 && len(r.Drift) == 0 {
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

// madeBy says how an inventory entry came about.
func madeBy(publisher string) string {
	if publisher == inventory.PublisherPrinted {
		return "printed by record"
	}

	return "published through " + publisher
}
