package inventory

import (
	"context"
	"fmt"
	"time"

	"github.com/lego-persist/lego-persist/internal/record"
)

// Publisher and Unpublisher have the method sets of persist.Publisher and
// persist.Unpublisher (declared here so that the library may use this
// package without an import cycle).
type (
	Publisher interface {
		Publish(ctx context.Context, fqdn, value string) error
	}
	Unpublisher interface {
		Unpublish(ctx context.Context, fqdn, value string) error
	}
)

// Source is what a wrapped publisher knows about the records it writes
// beyond fqdn and value.
type Source struct {
	// CA is the ACME directory URL.
	CA string
	// AccountURL is the account's URL.
	AccountURL string
	// Thumbprint is the current account key's RFC 7638 thumbprint.
	Thumbprint string
	// Publisher is the provider's name (--dns-persist).
	Publisher string
}

// Entry is the inventory entry of value at fqdn from src, made at when.
// The issuer, persistUntil and draft are read from the value; a value that
// does not parse is still recorded, with those fields empty.
func (src Source) Entry(fqdn, value string, when time.Time) Entry {
	e := Entry{
		Name:          canonicalName(fqdn),
		Value:         value,
		CA:            src.CA,
		AccountURL:    src.AccountURL,
		KeyThumbprint: src.Thumbprint,
		Publisher:     src.Publisher,
		When:          when.UTC(),
	}

	if v, err := record.Parse(value); err == nil {
		e.Issuer = v.Issuer
		e.Draft = "draft-01"

		if _, _, hashed := record.SplitHashedAccountURI(v.AccountURI); hashed {
			e.Draft = "draft-02"
		}

		if !v.PersistUntil.IsZero() {
			t := v.PersistUntil.UTC()
			e.PersistUntil = &t
		}
	}

	return e
}

// Wrap returns a publisher that publishes through pub and records every
// successful Publish (and, when pub can delete, every Unpublish) in s. The
// result implements Unpublisher exactly when pub does, so callers that
// look for it (remove) see the same capabilities.
//
// A record that was written but could not be recorded fails the call: the
// caller learns that the inventory misses it, and the next run (which finds
// the record served and writes nothing) can be followed by 'record' or
// 'check' to note it again.
func (s *Store) Wrap(pub Publisher, src Source) Publisher {
	w := &recording{pub: pub, inv: s, src: src, now: time.Now}

	if un, ok := pub.(Unpublisher); ok {
		return &recordingUnpublisher{recording: w, un: un}
	}

	return w
}

type recording struct {
	pub Publisher
	inv *Store
	src Source
	now func() time.Time
}

func (r *recording) Publish(ctx context.Context, fqdn, value string) error {
	if err := r.pub.Publish(ctx, fqdn, value); err != nil {
		return err
	}

	if err := r.inv.Put(ctx, r.src.Entry(fqdn, value, r.now())); err != nil {
		return fmt.Errorf("%s: published, but not noted in the record inventory: %w", fqdn, err)
	}

	return nil
}

type recordingUnpublisher struct {
	*recording
	un Unpublisher
}

func (r *recordingUnpublisher) Unpublish(ctx context.Context, fqdn, value string) error {
	if err := r.un.Unpublish(ctx, fqdn, value); err != nil {
		return err
	}

	if err := r.inv.MarkRemoved(ctx, fqdn, value, r.now()); err != nil {
		return fmt.Errorf("%s: removed, but not noted in the record inventory: %w", fqdn, err)
	}

	return nil
}
