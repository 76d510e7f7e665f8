package main

import (
	"context"
	"time"

	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/account"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// This file connects record and check to the record inventory under
// --path (draft-02 §4.5, §9.5): what this account published or printed, so
// that check can say when a record we made is gone or changed.

// openInventory opens the account's inventory and describes it as a source.
func (s *session) openInventory() (*inventory.Store, inventory.Source, error) {
	inv, err := inventory.Open(s.set.path, s.set.server, s.set.email)
	if err != nil {
		return nil, inventory.Source{}, err
	}

	tp, err := account.Thumbprint(s.account.GetPrivateKey())
	if err != nil {
		return nil, inventory.Source{}, err
	}

	return inv, inventory.Source{CA: s.set.server, AccountURL: s.account.Registration.URI, Thumbprint: tp}, nil
}

// notePrinted records the values record printed, unless the inventory
// already holds them (published through a provider, or printed before).
// The inventory is a convenience: failing to write it is a warning.
func (s *session) notePrinted(ctx context.Context, recs []persist.Record) {
	inv, src, err := s.openInventory()
	if err != nil {
		log.Warnf("record inventory: %v", err)
		return
	}

	src.Publisher = inventory.PublisherPrinted
	now := time.Now()

	for _, r := range recs {
		known, err := inv.Lookup(r.Name)
		if err != nil {
			log.Warnf("record inventory: %v", err)
			return
		}

		if hasValue(known, r.Value) {
			continue
		}

		if err := inv.Put(ctx, src.Entry(r.Name, r.Value, now)); err != nil {
			log.Warnf("record inventory: %v", err)
			return
		}
	}
}

func hasValue(entries []inventory.Entry, value string) bool {
	for _, e := range entries {
		if e.Value == value {
			return true
		}
	}

	return false
}

// checkedFinding is one check result with what the inventory adds: records
// this account published or printed at the name that it no longer serves.
type checkedFinding struct {
	persist.Finding

	Drift []inventory.Entry `json:"drift,omitempty"`
}

// withInventory marks the values seen served and adds drift to findings.
func (s *session) withInventory(ctx context.Context, findings []persist.Finding) []checkedFinding {
	out := make([]checkedFinding, len(findings))
	for i, f := range findings {
		out[i].Finding = f
	}

	inv, src, err := s.openInventory()
	if err != nil {
		log.Warnf("record inventory: %v", err)
		return out
	}

	now := time.Now()

	for i, f := range findings {
		if f.Status == persist.StatusError {
			continue // nothing is known about what the name serves
		}

		served := make([]string, 0, len(f.Records))
		for _, r := range f.Records {
			served = append(served, r.Value)
		}

		known, err := inv.Lookup(f.Name)
		if err != nil || len(known) == 0 {
			continue
		}

		for _, v := range served {
			if hasValue(known, v) {
				if err := inv.MarkSeen(ctx, f.Name, v, now); err != nil {
					log.Warnf("record inventory: %v", err)
				}
			}
		}

		if out[i].Drift, err = inv.Drift(f.Name, src.AccountURL, served); err != nil {
			log.Warnf("record inventory: %v", err)
		}
	}

	return out
}

// preflightWindow is how far ahead warnExpiring looks: about the time an
// order with a fresh record and its validation may take.
const preflightWindow = 10 * time.Minute

// warnExpiring is draft-02 §9.4's check of the local provisioning state
// before ordering: it warns about records of this account whose
// persistUntil has passed or passes before a validation can complete.
func (s *session) warnExpiring() {
	inv, src, err := s.openInventory()
	if err != nil {
		return
	}

	entries, err := inv.Expiring(time.Now().Add(preflightWindow))
	if err != nil {
		return
	}

	for _, e := range entries {
		if e.AccountURL != src.AccountURL {
			continue
		}

		if e.PersistUntil.Before(time.Now()) {
			log.Warnf("%s: the record %q expired at %s (persistUntil): the CA no longer uses it; delete it with 'lego-persist remove' once a newer record serves",
				e.Name, e.Value, e.PersistUntil.UTC().Format(time.RFC3339))

			continue
		}

		log.Warnf("%s: the record %q has persistUntil %s, before a validation can complete: a new record is published when one is needed (--dns-persist.persist-for with --dns-persist.refresh-before keeps them fresh)",
			e.Name, e.Value, e.PersistUntil.UTC().Format(time.RFC3339))
	}
}
