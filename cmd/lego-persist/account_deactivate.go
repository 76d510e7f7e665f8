package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/lego-persist/lego-persist/internal/account"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
)

const deactivateWarning = `Deactivating account %s at %s (RFC 8555 §7.3.6).
This cannot be undone. Every dns-persist-01 record naming this account stops
validating at once, those hashed with earlier keys included (%d record(s) in
the inventory); the CA refuses every further request of the account: no
certificates, no renewals. Certificates already issued stay valid.
`

func accountDeactivateAction(c *cli.Context) error {
	s, unlock, err := openLockedAccount(c)
	if err != nil {
		return err
	}
	defer unlock()

	set := s.set

	if d, err := account.Deactivated(s.store); err != nil {
		return err
	} else if d != nil {
		fmt.Fprintf(c.App.Writer, "account %s was deactivated at %s on %s\n", d.AccountURL, d.CA, d.At.Format(time.RFC3339))
		return nil
	}

	if _, _, err := s.recover(c.Context, c.App.ErrWriter); err != nil {
		return err
	}

	inv, err := inventory.Open(set.path, set.server, set.email)
	if err != nil {
		return err
	}

	entries, err := inv.List()
	if err != nil {
		return err
	}

	fmt.Fprintf(c.App.ErrWriter, deactivateWarning, s.url, set.server, len(entries))

	if !c.Bool(flgYes) {
		if err := confirmDeactivation(c); err != nil {
			return err
		}
	}

	if err := s.client.Deactivate(c.Context, s.url, s.key); err != nil {
		return err
	}

	if err := account.MarkDeactivated(s.store, account.Deactivation{AccountURL: s.url, CA: set.server, At: time.Now().UTC()}); err != nil {
		return fmt.Errorf("the CA deactivated the account, but it could not be marked locally: %w", err)
	}

	fmt.Fprintf(c.App.Writer, "account %s is deactivated at %s; marked in %s\n", s.url, set.server, account.MarkerPath(s.store))

	for _, e := range entries {
		if e.Active() {
			fmt.Fprintf(c.App.Writer, "no longer valid, remove: %s\n", account.ZoneLine(e.Name, defaultTTL, e.Value))
		}
	}

	return nil
}

// confirmDeactivation asks on a terminal; elsewhere --yes is required.
func confirmDeactivation(c *cli.Context) error {
	if !isatty.IsTerminal(os.Stdin.Fd()) && !isatty.IsCygwinTerminal(os.Stdin.Fd()) {
		return usageErrorf("refusing to deactivate without --%s: standard input is not a terminal", flgYes)
	}

	fmt.Fprint(c.App.ErrWriter, "Type 'deactivate' to go on: ")

	text, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read answer: %w", err)
	}

	if strings.TrimSpace(text) != "deactivate" {
		return errors.New("not deactivated")
	}

	return nil
}
