package main

import (
	"fmt"
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
			&cli.StringFlag{Name: flgCode, Aliases: []string{"c"}, Usage: "Show only this publisher."},
		},
		Action: dnshelpAction,
	}
}

func dnshelpAction(c *cli.Context) error {
	all := dnsproviders.All()
	code := strings.TrimSpace(c.String(flgCode))

	w := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	shown := 0

	for _, p := range all {
		if code != "" && !strings.EqualFold(p.Name, code) {
			continue
		}

		shown++

		del := "can remove records"
		if !p.CanUnpublish {
			del = "cannot remove records"
		}

		fmt.Fprintf(w, "%s\t%s (%s)\n", p.Name, p.Description, del)

		for _, e := range p.Env {
			req := "optional"
			if e.Required {
				req = "required"
			}

			fmt.Fprintf(w, "  %s\t%s (%s)\n", e.Name, e.Description, req)
		}

		fmt.Fprintln(w)
	}

	if code != "" && shown == 0 {
		names := make([]string, 0, len(all))
		for _, p := range all {
			names = append(names, p.Name)
		}

		return usageErrorf("--%s: unknown publisher %q (known: %s)", flgCode, code, strings.Join(names, ", "))
	}

	fmt.Fprintf(w, "none\tread-only: nothing is written; a missing record is an error that prints the record to publish\n")
	fmt.Fprintf(w, "\nEvery variable NAME can also be given as NAME_FILE: the path of a file holding the value.\n")

	return w.Flush()
}
