package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
	"github.com/urfave/cli/v2"
)

func dnshelpCommand() *cli.Command {
	return &cli.Command{
		Name:  "dnshelp",
		Usage: "List the --dns-persist publishers and their environment variables",
		Flags: []cli.Flag{
			&cli.StringFlag{
				Name: flgCode, Aliases: []string{"c"},
				Usage: "Show only this publisher, and lego's --dns provider of the same name (the fallback for names without a dns-persist-01 record).",
			},
		},
		Action: dnshelpAction,
	}
}

func dnshelpAction(c *cli.Context) error {
	code := strings.ToLower(strings.TrimSpace(c.String(flgCode)))
	w := c.App.Writer

	if code == "" {
		return writePublishers(w, dnsproviders.All())
	}

	info, isPublisher := dnsproviders.Lookup(code)

	legoHelp, isLego := legoDNSHelp(code)
	if !isLego && isPublisher { // an alias: lego knows the publisher's own name
		code = info.Name
		legoHelp, isLego = legoDNSHelp(code)
	}

	switch {
	case isPublisher:
		if err := writePublishers(w, []dnsproviders.Info{info}); err != nil {
			return err
		}
	case isLego:
		fmt.Fprintf(w, "lego-persist has no --dns-persist publisher named %q: publish the record by hand (lego-persist record),\n"+
			"through exec or httpreq, or by a CNAME into a zone a publisher serves. lego's %q provider still serves --dns %s.\n", code, code, code)
	default:
		return usageErrorf("--%s: %q is neither a --dns-persist publisher (known: %s) nor one of lego's --dns providers",
			flgCode, code, strings.Join(dnsproviders.Names(), ", "))
	}

	if !isLego {
		return nil
	}

	fmt.Fprintf(w, "\nlego's --dns %s (the fallback): names without a usable dns-persist-01 record are validated with lego's\n"+
		"dns-01 solver and this provider when lego-persist runs with --dns %s; it writes _acme-challenge records, not\n"+
		"_validation-persist. lego's own help for it:\n\n", code, code)

	_, err := w.Write(legoHelp)

	return err
}

// writePublishers writes each publisher with its variables, then "none" and
// the _FILE note.
func writePublishers(out io.Writer, infos []dnsproviders.Info) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)

	for _, p := range infos {
		del := "can remove records"
		if !p.CanUnpublish {
			del = "cannot remove records"
		}

		if p.Refused != "" {
			fmt.Fprintf(w, "%s\trefused: %s\n\n", p.Name, p.Refused)

			continue
		}

		fmt.Fprintf(w, "%s\t%s (%s)\n", p.Name, p.Description, del)

		if len(p.Aliases) > 0 {
			fmt.Fprintf(w, "  also as\t%s\n", strings.Join(p.Aliases, ", "))
		}

		if p.Safety != "" {
			fmt.Fprintf(w, "  concurrent writers\t%s\n", p.Safety)
		}

		for _, e := range p.Env {
			req := "optional"
			if e.Required {
				req = "required"
			}

			fmt.Fprintf(w, "  %s\t%s (%s)\n", e.Name, e.Description, req)
		}

		fmt.Fprintln(w)
	}

	fmt.Fprintf(w, "\nEvery variable NAME can also be given as NAME_FILE: the path of a file holding the value.\n")

	return w.Flush()
}
