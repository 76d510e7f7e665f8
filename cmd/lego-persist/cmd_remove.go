package main

import (
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

	sess, err := openRegistered(c, set)
	if err != nil {
		return err
	}

	if pub, err = sess.wrapInventory(pub); err != nil { // marks the removed values in the inventory
		return err
	}

	removals, err := persist.Remove(c.Context, sess.cfg, pub, set.domains, set.persistOpts...)
	if err != nil {
		return err
	}

	out := &lineWriter{w: c.App.Writer}
	failed := 0
	touched := map[string]bool{}

	for _, r := range removals {
		touched[r.Domain] = true

		switch {
		case r.Err != nil:
			failed++

			out.printf("%s: failed: %v", r.Domain, r.Err)
		default:
			out.printf("%s: removed %q from %s", r.Domain, r.Value, r.Name)
		}
	}

	for _, d := range set.domains {
		if !touched[d] {
			out.printf("%s: nothing to remove (no record for this account and CA)", d)
		}
	}

	if failed > 0 {
		return errReported
	}

	return nil
}
