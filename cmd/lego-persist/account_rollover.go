package main

import (
	"fmt"
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
	"github.com/urfave/cli/v2"
)

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
