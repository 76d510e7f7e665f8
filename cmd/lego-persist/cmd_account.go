package main

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"

	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/account"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

const (
	flgYes = "yes"

	// envExitAfterKeyChange makes 'account rollover' exit (code 137, as a
	// SIGKILL) right after the CA accepted the new key and before it is
	// stored: the end-to-end tests show that the next run recovers.
	envExitAfterKeyChange = "LEGO_PERSIST_TEST_EXIT_AFTER_KEY_CHANGE"
)

func accountCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "account",
		Usage: "Show, roll over or deactivate the ACME account: its key is the standing authorization of every record naming it",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command 'account %s' (account show | rollover | deactivate)", c.Args().First())
			}

			return cli.ShowSubcommandHelp(c)
		},
		Subcommands: []*cli.Command{
			{
				Name:   "show",
				Usage:  "The account at this CA: URL, status (asked of the CA), key type and thumbprint, the record values it implies",
				Flags:  []cli.Flag{&cli.BoolFlag{Name: flgJSON, Usage: "Print JSON."}},
				Action: accountShowAction,
			},
			{
				Name:  "rollover",
				Usage: "Replace the account key at the CA (RFC 8555 §7.3.5); draft-02 records are re-published (or printed) with the new key",
				Description: "The new key is journaled (keys/<email>.key.next) before the CA is asked, so an interrupted rollover" +
					" is finished by the next run. The new key replaces keys/<email>.key in lego's layout; the old key's" +
					" thumbprint is kept in keys/<email>.key-history.json. draft-00/01 records hold the account URL and stay" +
					" as they are. draft-02 records are hashed with the key: the values hashed with the new key are published" +
					" through --dns-persist (or printed); the old values stay valid at the CA until the account is deactivated," +
					" and are listed for removal. The new key has the type of the global --key-type/-k when given, else the current key's.",
				Flags: []cli.Flag{
					&cli.UintFlag{Name: flgTTL, Value: defaultTTL, Usage: "TTL of the printed records, in seconds."},
				},
				Action: accountRolloverAction,
			},
			{
				Name:  "deactivate",
				Usage: "Deactivate the account (RFC 8555 §7.3.6): every record naming it stops validating at once (the emergency brake)",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: flgYes, Usage: "Do not ask: deactivate (required without a terminal)."},
				},
				Action: accountDeactivateAction,
			},
		},
	}

	for _, sub := range cmd.Subcommands {
		sub.OnUsageError = onUsageError
	}

	return cmd
}

// accountSession is a stored, registered account and its CA.
type accountSession struct {
	set    *settings
	store  *storage.AccountStore
	acct   *storage.Account
	key    crypto.PrivateKey
	url    string
	client *account.Client
}

// openAccount loads the stored account for the account commands, finishing
// an interrupted rollover first. It does not refuse a deactivated account.
// openLockedAccount reads the settings, locks --path and opens the account,
// for the account commands that change it (rollover, deactivate). Call
// unlock when done.
func openLockedAccount(c *cli.Context) (*accountSession, func(), error) {
	set, err := loadSettings(c)
	if err != nil {
		return nil, nil, err
	}

	lock, err := lockStore(c, set)
	if err != nil {
		return nil, nil, err
	}

	s, err := openAccount(c, set)
	if err != nil {
		unlockStore(lock)
		return nil, nil, err
	}

	return s, func() { unlockStore(lock) }, nil
}

func openAccount(c *cli.Context, set *settings) (*accountSession, error) {
	as, err := set.store().Account(set.server, set.email)
	if err != nil {
		return nil, usageErrorf("--%s: %w", flgEmail, err)
	}

	if exists, err := as.Exists(); err != nil {
		return nil, err
	} else if !exists {
		return nil, fmt.Errorf("no account for %s at %s in %s: run 'lego-persist --email %s --accept-tos ... run' first",
			userID(set.email), set.server, set.path, set.email)
	}

	key, err := as.ReadKey()
	if err != nil {
		return nil, err
	}

	acct, err := as.Load(key)
	if err != nil {
		return nil, err
	}

	if !acct.Registered() {
		return nil, fmt.Errorf("account %s at %s is not registered yet: run 'lego-persist ... run' first", userID(set.email), set.server)
	}

	cfg, err := newConfig(c, acct)
	if err != nil {
		return nil, err
	}

	s := &accountSession{
		set: set, store: as, acct: acct, key: key, url: acct.Registration.URI,
		client: account.New(cfg.HTTPClient, cfg.UserAgent, set.server),
	}

	return s, nil
}

// recover finishes an interrupted rollover; pending reports a journaled
// key the CA has not taken (the account keeps its stored key).
func (s *accountSession) recover(ctx context.Context, w io.Writer) (pending crypto.PrivateKey, recovered *account.Result, err error) {
	res, key, err := account.Recover(ctx, s.client, s.store, s.url, s.key)

	switch {
	case errors.Is(err, account.ErrRolloverPending):
		next, rerr := s.store.ReadNextKey()
		return next, nil, rerr
	case err != nil:
		return nil, nil, err
	case res.Recovered:
		s.key = key
		fmt.Fprintf(w, "finished an interrupted key rollover: the CA has the new key %s, now stored in %s\n",
			res.NewThumbprint, s.store.KeyPath())

		return nil, &res, nil
	}

	return nil, nil, nil
}

// accountGate is the account step of every command's setup (openSession):
// a deactivated account stops the command with an explanation (exit 1;
// 'remove' and 'list' may still run, to clean up); a rollover that an
// earlier process left unfinished is finished first; and the thumbprints of
// the account's earlier keys go to the library (persist.WithPriorAccountKeys
// in set.persistOpts), so draft-02 values hashed with them count as ours.
func accountGate(c *cli.Context, set *settings, as *storage.AccountStore) error {
	if name := c.Command.Name; name != "remove" && name != "list" {
		if err := account.CheckActive(as); err != nil {
			return err
		}
	}

	if err := finishRollover(c, set, as); err != nil {
		return err
	}

	prior, err := as.PriorKeys()
	if err != nil {
		return err
	}

	if len(prior) > 0 {
		tps := make([]string, 0, len(prior))
		for _, p := range prior {
			tps = append(tps, p.Thumbprint)
		}

		set.persistOpts = append(set.persistOpts, persist.WithPriorAccountKeys(tps...))
	}

	return nil
}

// finishRollover completes a rollover an earlier process left unfinished.
func finishRollover(c *cli.Context, set *settings, as *storage.AccountStore) error {
	if next, err := as.ReadNextKey(); err != nil || next == nil {
		return err
	}

	s, err := openAccount(c, set)
	if err != nil {
		return err
	}

	pending, _, err := s.recover(c.Context, c.App.ErrWriter)
	if err != nil {
		return err
	}

	if pending != nil {
		log.Warnf("%s holds the key of an interrupted 'account rollover' that the CA has not taken; "+
			"this run uses the current key; run 'lego-persist account rollover' to finish the rollover", s.store.NextKeyPath())
	}

	return nil
}

// wrapInventory makes pub note every record it publishes or removes in the
// account's record inventory.
func (s *session) wrapInventory(pub persist.Publisher) (persist.Publisher, error) {
	if pub == nil {
		return nil, nil
	}

	inv, src, err := s.openInventory()
	if err != nil {
		return nil, err
	}

	src.Publisher = s.set.publisher

	return inv.Wrap(pub, src), nil
}
