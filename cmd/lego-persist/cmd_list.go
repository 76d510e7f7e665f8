package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

// list flags: lego v4's --accounts/-a and --names/-n, and ours.
const (
	flgNoCheck  = "no-check"
	flgAccounts = "accounts"
	flgNames    = "names"
)

func listCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "List stored certificates with their expiry, days left and the status of their records",
		Description: "The record status is check's, summed up per certificate (the worst of its names);" +
			" --json has every name's check result, with the draft the CA speaks and which CA and draft each value serves." +
			" --names prints only the certificates' names, one per line, and --accounts the stored accounts first, as lego does.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: flgAccounts, Aliases: []string{"a"}, Usage: "Display accounts (as lego), then the certificates."},
			&cli.BoolFlag{Name: flgNames, Aliases: []string{"n"}, Usage: "Display certificate common names only (as lego; no record lookups)."},
			&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON instead of a table."},
			&cli.BoolFlag{Name: flgNoCheck, Usage: "Do not look the records up (no account, directory or DNS needed)."},
			&cli.IntFlag{Name: flgWarnDays, Value: 30, Usage: "Report records whose persistUntil is this many days away or less as expiring."},
		},
		Action: listAction,
	}
}

type listEntry struct {
	Domain   string           `json:"domain"`
	Names    []string         `json:"names"`
	NotAfter time.Time        `json:"notAfter"`
	DaysLeft int              `json:"daysLeft"`
	Path     string           `json:"path"`
	Record   string           `json:"record,omitempty"`
	Records  []checkedFinding `json:"records,omitempty"`
	// Drift is set when a record this account published or printed for
	// one of the names is no longer served (see check).
	Drift bool `json:"drift,omitempty"`
}

func listAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	entries, err := set.store().Certificates(certOptions(c)).List()
	if err != nil {
		return err
	}

	if c.Bool(flgNames) {
		return printNames(c.App.Writer, entries)
	}

	if c.Bool(flgAccounts) {
		if err := printAccounts(c.App.Writer, set.path); err != nil {
			return err
		}
	}

	now := time.Now()
	out := make([]listEntry, 0, len(entries))

	for _, e := range entries {
		out = append(out, listEntry{Domain: e.Domain, Names: e.Names, NotAfter: e.NotAfter, DaysLeft: daysLeft(e.NotAfter, now), Path: e.Path})
	}

	var ca *persist.CA

	if len(entries) > 0 && !c.Bool(flgNoCheck) {
		if ca, err = recordStatuses(c, set, entries, out); err != nil {
			return fmt.Errorf("%w (pass --%s to list without record status)", err, flgNoCheck)
		}
	}

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		return enc.Encode(out)
	}

	if len(out) == 0 {
		fmt.Fprintf(c.App.Writer, "No certificates found in %s.\n", set.path)
		return nil
	}

	if ca != nil {
		printCA(c.App.Writer, set.server, *ca)
	}

	return printCertTable(c.App.Writer, out)
}

// recordStatuses fills in each entry's record status: check's result for
// every name, and the worst of them per certificate. It is the only place
// list computes record status.
func recordStatuses(c *cli.Context, set *settings, entries []storage.Entry, out []listEntry) (*persist.CA, error) {
	sess, err := openRegistered(c, set)
	if err != nil {
		return nil, err
	}

	results, ca, err := auditNames(c, set, sess, storedNames(entries))
	if err != nil {
		return nil, err
	}

	byName := make(map[string]checkedFinding, len(results))

	for _, r := range sess.withInventory(c.Context, results) {
		byName[r.Domain] = r
	}

	for i := range out {
		var findings []persist.Finding

		for _, n := range out[i].Names {
			if r, ok := byName[n]; ok {
				out[i].Records = append(out[i].Records, r)
				findings = append(findings, r.Finding)

				if len(r.Drift) > 0 {
					out[i].Drift = true
				}
			}
		}

		out[i].Record = persist.Worst(findings)
	}

	return &ca, nil
}

// daysLeft is the number of whole days until notAfter (negative once
// expired), as lego counts them for --days.
func daysLeft(notAfter, now time.Time) int {
	return int(notAfter.Sub(now).Hours() / 24)
}

func printCertTable(w io.Writer, out []listEntry) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CERTIFICATE\tEXPIRES\tDAYS LEFT\tRECORD\tNAMES")

	for _, e := range out {
		status := e.Record
		if status == "" {
			status = "-"
		}

		if e.Drift {
			status += " (drift: see check)"
		}

		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", e.Domain, e.NotAfter.UTC().Format(time.RFC3339), e.DaysLeft, status, strings.Join(e.Names, ", "))
	}

	return tw.Flush()
}

// printNames is lego's `list --names`: each certificate's main name, one
// per line, in file order; nothing at all when there is none.
func printNames(w io.Writer, entries []storage.Entry) error {
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })

	for _, e := range entries {
		name := e.Domain
		if len(e.Names) > 0 {
			name = e.Names[0] // the common name when set, as lego's main domain
		}

		fmt.Fprintln(w, name)
	}

	return nil
}

// printAccounts is lego's `list --accounts` block: every stored account's
// email, CA host and folder.
func printAccounts(w io.Writer, root string) error {
	matches, err := filepath.Glob(filepath.Join(root, "accounts", "*", "*", "*.json"))
	if err != nil {
		return err
	}

	if len(matches) == 0 {
		fmt.Fprintln(w, "No accounts found.")
		return nil
	}

	fmt.Fprintln(w, "Found the following accounts:")

	for _, path := range matches {
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}

		var acct storage.Account
		if err := json.Unmarshal(raw, &acct); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}

		host := ""

		if acct.Registration != nil {
			u, err := url.Parse(acct.Registration.URI)
			if err != nil {
				return fmt.Errorf("%s: account URL: %w", path, err)
			}

			host = u.Host
		}

		fmt.Fprintf(w, "  Email: %s\n  Server: %s\n  Path: %s\n\n", acct.Email, host, filepath.Dir(path))
	}

	return nil
}
