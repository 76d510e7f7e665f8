package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lego-persist/lego-persist/internal/audit"
	"github.com/urfave/cli/v2"
)

const flgNoCheck = "no-check"

func listCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "List stored certificates with their expiry and the status of their records",
		Description: "The record status is check's, summed up per certificate (the worst of its names);" +
			" --json has every name's check result, with the draft the CA speaks and which CA and draft each value serves.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON instead of a table."},
			&cli.BoolFlag{Name: flgNoCheck, Usage: "Do not look the records up (no account, directory or DNS needed)."},
			&cli.IntFlag{Name: flgWarnDays, Value: 30, Usage: "Report records whose persistUntil is this many days away or less as expiring."},
		},
		Action: listAction,
	}
}

type listEntry struct {
	Domain   string         `json:"domain"`
	Names    []string       `json:"names"`
	NotAfter time.Time      `json:"notAfter"`
	Path     string         `json:"path"`
	Record   audit.Status   `json:"record,omitempty"`
	Records  []audit.Result `json:"records,omitempty"`
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

	out := make([]listEntry, 0, len(entries))
	for _, e := range entries {
		out = append(out, listEntry{Domain: e.Domain, Names: e.Names, NotAfter: e.NotAfter, Path: e.Path})
	}

	var auditor *audit.Auditor

	if len(entries) > 0 && !c.Bool(flgNoCheck) {
		auditor, _, err = newAuditor(c, set)
		if err != nil {
			return fmt.Errorf("%w (pass --%s to list without record status)", err, flgNoCheck)
		}

		results := auditor.CheckAll(c.Context, storedNames(entries))
		byName := make(map[string]audit.Result, len(results))

		for _, r := range results {
			byName[r.Domain] = r
		}

		for i := range out {
			for _, n := range out[i].Names {
				if r, ok := byName[n]; ok {
					out[i].Records = append(out[i].Records, r)
				}
			}

			out[i].Record = audit.Worst(out[i].Records)
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

	if auditor != nil {
		printCA(c.App.Writer, set.server, auditor)
	}

	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CERTIFICATE\tEXPIRES\tRECORD\tNAMES")

	for _, e := range out {
		status := string(e.Record)
		if status == "" {
			status = "-"
		}

		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Domain, e.NotAfter.UTC().Format(time.RFC3339), status, strings.Join(e.Names, ", "))
	}

	return tw.Flush()
}
