package main

import (
	"encoding/json"
	"fmt"

	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

func recordCommand() *cli.Command {
	return &cli.Command{
		Name:  "record",
		Usage: "Print the _validation-persist TXT record(s) to publish for --domains (or --domains-file), without ordering",
		Description: "The records are computed from the CA's directory and the account alone: no order is created," +
			" so any number of domains costs no rate limit. Without a stored account one is registered first" +
			" (--accept-tos, --eab with --kid and --hmac), still without an order. Before printing, the account is" +
			" checked at the CA (it must be valid: draft-02's pre-publication check). The draft the CA speaks is" +
			" detected from its directory (draft-02 when meta.accountHashPrefix is present: the accounturi is then" +
			" hashed from the account key, per domain, or once for all with --" + flgPersistAnyDomain + ").",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON (one object per domain) instead of zone-file lines."},
			&cli.UintFlag{Name: flgTTL, Value: persist.DefaultRecordTTL, Usage: "TTL of the printed records, in seconds."},
		},
		Action: recordAction,
	}
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

	// Pre-provisioning starts at account creation (draft-02 §4.5): register
	// when no account is stored, but order nothing.
	sess, err := openSession(c, set, true)
	if err != nil {
		return err
	}

	if err := sess.ensureRegistered(c); err != nil {
		return err
	}

	opts := append([]persist.Option{persist.WithRecordTTL(uint32(ttl))}, set.persistOpts...)

	recs, err := persist.Records(c.Context, sess.cfg, set.domains, opts...)
	if err != nil {
		return err
	}

	sess.notePrinted(c.Context, recs)

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		return enc.Encode(recs)
	}

	printed := map[string]bool{}

	for _, r := range recs {
		if !printed[r.ZoneLine] {
			printed[r.ZoneLine] = true
			fmt.Fprintln(c.App.Writer, r.ZoneLine)
		}
	}

	return nil
}

// defaultTTL is the TTL of printed records (record --ttl's default).
const defaultTTL = persist.DefaultRecordTTL
