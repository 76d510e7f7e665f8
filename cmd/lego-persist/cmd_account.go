package main

import (
	"bufio"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/account"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/manual"
	"github.com/mattn/go-isatty"
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

	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return nil, err
	}

	tp, err := account.Thumbprint(s.account.GetPrivateKey())
	if err != nil {
		return nil, err
	}

	return inv.Wrap(pub, inventory.Source{
		CA: s.set.server, AccountURL: s.account.Registration.URI, Thumbprint: tp, Publisher: s.set.publisher,
	}), nil
}

// accountView is 'account show --json'.
type accountView struct {
	URL          string             `json:"url"`
	CA           string             `json:"ca"`
	Draft        string             `json:"draft"`
	Status       string             `json:"status"`
	StatusDetail string             `json:"statusDetail,omitempty"`
	Contact      []string           `json:"contact,omitempty"`
	KeyType      string             `json:"keyType"`
	KeyFile      string             `json:"keyFile"`
	Thumbprint   string             `json:"thumbprint"`
	PriorKeys    []storage.PriorKey `json:"priorKeys,omitempty"`
	Records      []account.Implied  `json:"records"`
	// Domains are the records of --domains (persist.Records), when given.
	Domains     []persist.Record      `json:"domains,omitempty"`
	Deactivated *account.Deactivation `json:"deactivatedLocally,omitempty"`
	Inventory   string                `json:"inventory"`
	Recorded    int                   `json:"inventoryRecords"`
	Active      int                   `json:"inventoryActive"`
	PendingKey  string                `json:"pendingRolloverKey,omitempty"`
}

func accountShowAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
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

	v, err := s.view(c.Context)
	if err != nil {
		return err
	}

	if pending != nil {
		v.PendingKey = s.store.NextKeyPath()
	}

	if len(set.domains) > 0 && v.Status == acme.StatusValid {
		if v.Domains, err = s.records(c, set.domains, defaultTTL); err != nil {
			return err
		}
	}

	if c.Bool(flgJSON) {
		enc := json.NewEncoder(c.App.Writer)
		enc.SetIndent("", "  ")

		return enc.Encode(v)
	}

	printView(c.App.Writer, v)

	return nil
}

func (s *accountSession) view(ctx context.Context) (*accountView, error) {
	tp, err := account.Thumbprint(s.key)
	if err != nil {
		return nil, err
	}

	v := &accountView{
		URL: s.url, CA: s.set.server, KeyType: keyTypeName(account.KeyType(s.key)), KeyFile: s.store.KeyPath(),
		Thumbprint: tp, Contact: s.acct.Registration.Body.Contact,
	}

	if v.Deactivated, err = account.Deactivated(s.store); err != nil {
		return nil, err
	}

	if v.PriorKeys, err = s.store.PriorKeys(); err != nil {
		return nil, err
	}

	meta, err := s.client.Meta(ctx)
	if err != nil {
		return nil, err
	}

	v.Draft = meta.Version().String()

	var issuers []string
	if s.set.issuer != "" {
		issuers = []string{s.set.issuer}
	}

	if v.Records, err = account.ImpliedRecords(meta, issuers, s.url, tp); err != nil {
		return nil, fmt.Errorf("%s: %w", s.set.server, err)
	}

	remote, err := s.client.Status(ctx, s.url, s.key)

	var prob *acme.ProblemDetails

	switch {
	case err == nil:
		v.Status = remote.Status
		if len(remote.Contact) > 0 || remote.Status != "" {
			v.Contact = remote.Contact
		}
	case errors.As(err, &prob) && strings.Contains(strings.ToLower(prob.Detail), "deactivated"):
		v.Status, v.StatusDetail = acme.StatusDeactivated, prob.Detail
	case errors.As(err, &prob):
		v.Status, v.StatusDetail = "unknown", prob.Type+": "+prob.Detail
	default:
		return nil, err
	}

	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return nil, err
	}

	entries, err := inv.List()
	if err != nil {
		return nil, err
	}

	v.Inventory, v.Recorded = inv.Path(), len(entries)

	for _, e := range entries {
		if e.Active() {
			v.Active++
		}
	}

	return v, nil
}

// keyTypeName is the --key-type name of kt ("ec256" for certcrypto.EC256).
func keyTypeName(kt certcrypto.KeyType) string {
	for name, t := range keyTypes {
		if t == kt {
			return name
		}
	}

	return string(kt)
}

func printView(w io.Writer, v *accountView) {
	fmt.Fprintf(w, "Account:     %s\n", v.URL)
	fmt.Fprintf(w, "CA:          %s (%s)\n", v.CA, v.Draft)

	status := v.Status + " (as the CA reports it)"
	if v.StatusDetail != "" {
		status = v.Status + ": " + v.StatusDetail
	}

	fmt.Fprintf(w, "Status:      %s\n", status)

	if v.Deactivated != nil {
		fmt.Fprintf(w, "             deactivated with lego-persist at %s\n", v.Deactivated.At.Format(time.RFC3339))
	}

	if len(v.Contact) > 0 {
		fmt.Fprintf(w, "Contact:     %s\n", strings.Join(v.Contact, ", "))
	}

	fmt.Fprintf(w, "Key:         %s, %s\n", v.KeyType, v.KeyFile)
	fmt.Fprintf(w, "Thumbprint:  %s (RFC 7638)\n", v.Thumbprint)

	for _, p := range v.PriorKeys {
		fmt.Fprintf(w, "Prior key:   %s (%s, replaced %s)\n", p.Thumbprint, p.KeyType, p.Retired.Format(time.RFC3339))
	}

	if v.PendingKey != "" {
		fmt.Fprintf(w, "Pending:     %s: an interrupted rollover's key the CA has not taken; run 'account rollover'\n", v.PendingKey)
	}

	fmt.Fprintf(w, "Inventory:   %d record(s), %d standing, in %s\n", v.Recorded, v.Active, v.Inventory)

	if v.Draft == "draft-02" {
		fmt.Fprintln(w, "Records:     draft-02, any-domain form (one value for every domain, linkable; -d DOMAIN prints per-domain values):")
	} else {
		fmt.Fprintln(w, "Records:     the value at _validation-persist.<domain> for any domain:")
	}

	for _, r := range v.Records {
		fmt.Fprintf(w, "  %s\n", r.Value)
	}

	if len(v.Domains) > 0 {
		fmt.Fprintln(w, "Records of --domains:")
	}

	for _, r := range v.Domains {
		fmt.Fprintf(w, "  %s\n", r.ZoneLine)
	}
}

func accountRolloverAction(c *cli.Context) error {
	s, unlock, err := openLockedAccount(c)
	if err != nil {
		return err
	}
	defer unlock()

	set := s.set

	if err := account.CheckActive(s.store); err != nil {
		return err
	}

	pending, recovered, err := s.recover(c.Context, c.App.Writer)
	if err != nil {
		return err
	}

	ttl := uint32(c.Uint(flgTTL))
	if ttl == 0 || ttl > 1<<31-1 {
		return usageErrorf("--%s must be between 1 and 2147483647 seconds", flgTTL)
	}

	meta, err := s.client.Meta(c.Context)
	if err != nil {
		return err
	}

	draft02 := meta.Version().String() == "draft-02"

	res := recovered

	// The --domains values hashed with the old key, computed while it still
	// signs for the account (Records proves that first).
	var oldRecs []persist.Record

	if draft02 && res == nil && len(set.domains) > 0 {
		if oldRecs, err = s.records(c, set.domains, ttl); err != nil {
			return err
		}
	}

	if res == nil {
		newKey := pending

		if newKey == nil {
			kt := account.KeyType(s.key)
			if name, set := keyTypeFlag(c); set {
				var ok bool
				if kt, ok = keyTypes[strings.ToLower(name)]; !ok {
					return usageErrorf("--%s: unsupported key type %q (supported: rsa2048, rsa3072, rsa4096, rsa8192, ec256, ec384)", flgKeyType, name)
				}
			}

			if kt == "" {
				kt = certcrypto.EC256
			}

			if newKey, err = certcrypto.GeneratePrivateKey(kt); err != nil {
				return fmt.Errorf("generate the new %s account key: %w", kt, err)
			}
		} else {
			log.Printf("retrying the interrupted rollover with its journaled key %s", s.store.NextKeyPath())
		}

		r := &account.Rollover{Client: s.client, Store: s.store, URL: s.url, OldKey: s.key, NewKey: newKey}
		if os.Getenv(envExitAfterKeyChange) != "" {
			r.AfterAccept = func() {
				fmt.Fprintf(c.App.ErrWriter, "lego-persist: %s: exiting after the CA accepted the new key\n", envExitAfterKeyChange)
				os.Exit(137)
			}
		}

		done, err := r.Run(c.Context)
		if err != nil {
			return fmt.Errorf("account %s: key rollover: %w", s.url, err)
		}

		s.key, res = newKey, &done

		fmt.Fprintf(c.App.Writer, "account %s: key changed at %s: %s -> %s (%s), stored in %s; prior thumbprint kept in %s\n",
			s.url, set.server, done.OldThumbprint, done.NewThumbprint, keyTypeName(account.KeyType(newKey)), s.store.KeyPath(), s.store.KeyHistoryPath())
	}

	// The new key must sign for the account: the POST-as-GET proves it, and
	// is draft-02's pre-publication check of the (URL, new key) pair.
	remote, err := s.client.Status(c.Context, s.url, s.key)
	if err != nil {
		return fmt.Errorf("the key was changed, but the CA does not answer the new key: %w", err)
	}

	if remote.Status != acme.StatusValid {
		return fmt.Errorf("account %s has status %q at %s: not publishing records for it", s.url, remote.Status, set.server)
	}

	if !draft02 {
		fmt.Fprintf(c.App.Writer, "%s speaks %s: records hold the account URL, which a key change keeps; nothing to re-publish\n",
			set.server, meta.Version())

		return nil
	}

	changes, err := s.changes(c, res, oldRecs, ttl)
	if err != nil {
		return err
	}

	return s.republish(c, res, changes, ttl)
}

// records is persist.Records for domains with the session's current key.
func (s *accountSession) records(c *cli.Context, domains []string, ttl uint32) ([]persist.Record, error) {
	user := storage.NewAccount(s.acct.Email, s.key)
	user.Registration = s.acct.Registration

	cfg, err := newConfig(c, user)
	if err != nil {
		return nil, err
	}

	opts := append([]persist.Option{persist.WithRecordTTL(ttl)}, s.set.persistOpts...)

	recs, err := persist.Records(c.Context, cfg, domains, opts...)
	if err != nil {
		return nil, fmt.Errorf("records of --%s: %w", flgDomains, err)
	}

	return recs, nil
}

// changes lists the draft-02 values to re-publish after a rollover: those
// of the record inventory and those of --domains (old is empty when an
// interrupted rollover left no chance to compute it).
func (s *accountSession) changes(c *cli.Context, res *account.Result, oldRecs []persist.Record, ttl uint32) ([]account.Change, error) {
	meta, err := s.client.Meta(c.Context)
	if err != nil {
		return nil, err
	}

	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return nil, err
	}

	entries, err := inv.List()
	if err != nil {
		return nil, err
	}

	changes, err := account.Republish(meta, s.set.server, s.url, res.NewThumbprint, entries)
	if err != nil {
		return nil, err
	}

	if len(s.set.domains) == 0 {
		return changes, nil
	}

	newRecs, err := s.records(c, s.set.domains, ttl)
	if err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	for _, ch := range changes {
		seen[ch.Name+" "+ch.New] = true
	}

	for i, r := range newRecs {
		if seen[r.Name+" "+r.Value] {
			continue
		}

		seen[r.Name+" "+r.Value] = true

		ch := account.Change{Name: r.Name, New: r.Value}
		if i < len(oldRecs) && oldRecs[i].Name == r.Name {
			ch.Old = oldRecs[i].Value
		}

		changes = append(changes, ch)
	}

	return changes, nil
}

// keyTypeFlag is the global --key-type/-k; set is false when it was not
// given (its default does not count: a rollover keeps the key's type).
func keyTypeFlag(c *cli.Context) (value string, set bool) {
	if c.IsSet(flgKeyType) {
		return c.String(flgKeyType), true
	}

	return "", false
}

// republish publishes (or prints) the draft-02 values hashed with the new
// key and lists the old ones for removal.
func (s *accountSession) republish(c *cli.Context, res *account.Result, changes []account.Change, ttl uint32) error {
	w := c.App.Writer

	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return err
	}

	if len(changes) == 0 {
		meta, err := s.client.Meta(c.Context)
		if err != nil {
			return err
		}

		implied, err := account.ImpliedRecords(meta, nil, s.url, res.NewThumbprint)
		if err != nil {
			return err
		}

		fmt.Fprintf(w, "no draft-02 record of this account in the inventory (%s) and no --%s; the any-domain value with the new key is:\n",
			inv.Path(), flgDomains)

		for _, r := range implied {
			fmt.Fprintf(w, "  %s\n", r.Value)
		}

		fmt.Fprintf(w, "per-domain values: 'lego-persist -d DOMAIN account rollover' next time, or 'lego-persist -d DOMAIN record'\n")

		return nil
	}

	pub, err := s.set.newPublisher()
	if err != nil {
		return err
	}

	if _, isManual := pub.(*manual.DNSProvider); isManual {
		pub = nil // printed below, as manual would.
	}

	src := inventory.Source{CA: s.set.server, AccountURL: s.url, Thumbprint: res.NewThumbprint, Publisher: s.set.publisher}

	var rec inventory.Publisher
	if pub != nil {
		rec = inv.Wrap(pub, src)
	}

	failed := 0

	for _, ch := range changes {
		if rec == nil {
			fmt.Fprintf(w, "publish: %s\n", account.ZoneLine(ch.Name, ttl, ch.New))

			src.Publisher = inventory.PublisherPrinted
			if err := inv.Put(c.Context, src.Entry(ch.Name, ch.New, time.Now())); err != nil {
				return err
			}

			continue
		}

		if err := rec.Publish(c.Context, ch.Name, ch.New); err != nil {
			failed++

			fmt.Fprintf(w, "%s: publishing the value with the new key failed: %v\n  publish: %s\n", ch.Name, err, account.ZoneLine(ch.Name, ttl, ch.New))

			continue
		}

		fmt.Fprintf(w, "published: %s\n", account.ZoneLine(ch.Name, ttl, ch.New))
	}

	for _, ch := range changes {
		if rec == nil {
			break
		}

		if err := persist.AwaitServed(c.Context, ch.Name, ch.New, s.set.persistOpts...); err != nil {
			failed++

			fmt.Fprintf(w, "%s: the value with the new key was published but is not served yet: %v\n", ch.Name, err)

			continue
		}

		fmt.Fprintf(w, "served: %s\n", ch.Name)
	}

	fmt.Fprintln(w, "old values (hashed with an earlier key): they stay valid at the CA until the account is deactivated;"+
		" remove them once every new one is served:")

	for _, ch := range changes {
		if ch.Old != "" {
			fmt.Fprintf(w, "remove: %s\n", account.ZoneLine(ch.Name, ttl, ch.Old))
		}
	}

	if failed > 0 {
		return fmt.Errorf("%d of %d record(s) could not be re-published; the old ones keep validating meanwhile", failed, len(changes))
	}

	return nil
}

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
