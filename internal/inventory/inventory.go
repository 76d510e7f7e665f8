// Package inventory keeps the record inventory of draft-ietf-acme-dns-persist-02
// §4.5, §9.4 and §9.5 under lego's --path: for each _validation-persist
// record this account published (or printed for someone else to publish),
// its name, value, issuer, CA, draft, account key thumbprint, persistUntil,
// publisher, when, and when it was last seen served.
//
// One JSON file per account, beside lego's layout and ignored by lego:
//
//	<path>/inventory/<server host, ":" as "_">/<email>.json
//
// Every change is a read-modify-write under an exclusive lock of its own
// (<path>/inventory/<server>/.lego-persist.lock, independent of the --path
// lock, so callers holding that one can update the inventory too) and an
// atomic file replace: concurrent processes never lose each other's entries
// and a reader never sees half a file.
package inventory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lego-persist/lego-persist/internal/storage"
)

// folder is the inventory's folder under --path.
const folder = "inventory"

// lockWait bounds how long an update waits for another process's update.
const lockWait = 30 * time.Second

// How a record came to be known.
const (
	// PublisherPrinted marks a record printed for someone else to publish.
	PublisherPrinted = "printed"
)

// Entry is one record this account published or printed.
type Entry struct {
	// Name is the record name, lowercase, with the trailing dot
	// ("_validation-persist.example.com.").
	Name string `json:"name"`
	// Value is the whole record value (not split into character-strings).
	Value string `json:"value"`
	// Issuer is the value's issuer-domain-name.
	Issuer string `json:"issuer,omitempty"`
	// CA is the ACME directory URL of the CA the record is for.
	CA string `json:"ca"`
	// AccountURL is the account the record authorizes.
	AccountURL string `json:"accountURL"`
	// Draft is "draft-02" for a hashed accounturi, else "draft-01" (draft-00
	// and draft-01 records both hold the account URL).
	Draft string `json:"draft,omitempty"`
	// KeyThumbprint is the RFC 7638 thumbprint of the account key when the
	// record was made; draft-02 values are hashed with it.
	KeyThumbprint string `json:"keyThumbprint,omitempty"`
	// PersistUntil is the value's persistUntil, nil when absent.
	PersistUntil *time.Time `json:"persistUntil,omitempty"`
	// Publisher is the --dns-persist provider that wrote the record, or
	// PublisherPrinted.
	Publisher string `json:"publisher"`
	// When is when it was published or printed (the latest time).
	When time.Time `json:"when"`
	// LastSeen is when a check last saw the record served, nil if never.
	LastSeen *time.Time `json:"lastSeenServed,omitempty"`
	// Removed is when the record was removed through a publisher; nil while
	// it stands.
	Removed *time.Time `json:"removed,omitempty"`
}

// Active reports whether the record is meant to stand (not removed).
func (e Entry) Active() bool { return e.Removed == nil }

type file struct {
	Entries []Entry `json:"entries"`
}

// Store is the inventory of one account at one CA.
type Store struct {
	path string
	dir  string
	mu   sync.Mutex
}

// Open returns the inventory of the account email at the CA serverURL
// under root (lego's --path). Nothing is created until something is saved.
func Open(root, serverURL, email string) (*Store, error) {
	server, err := storage.ServerFolder(serverURL)
	if err != nil {
		return nil, err
	}

	if email == "" {
		email = storage.NoEmailUserID
	}

	if strings.ContainsAny(email, `/\`) || email == "." || email == ".." {
		return nil, fmt.Errorf("email %q cannot be used as a file name", email)
	}

	dir := filepath.Join(root, folder, server)

	return &Store{path: filepath.Join(dir, email+".json"), dir: dir}, nil
}

// Path is the inventory file.
func (s *Store) Path() string { return s.path }

// List returns every entry, in the order they were first recorded.
func (s *Store) List() ([]Entry, error) {
	f, err := s.read()
	if err != nil {
		return nil, err
	}

	return f.Entries, nil
}

// Lookup returns the entries at the record name fqdn (compared without case
// and trailing dot), removed ones included (see Entry.Active).
func (s *Store) Lookup(fqdn string) ([]Entry, error) {
	f, err := s.read()
	if err != nil {
		return nil, err
	}

	var out []Entry

	for _, e := range f.Entries {
		if sameName(e.Name, fqdn) {
			out = append(out, e)
		}
	}

	return out, nil
}

// Put records e: an entry with the same name and value is replaced (its
// LastSeen kept when e has none), otherwise e is added. e.Name gets its
// canonical form (lowercase, trailing dot).
func (s *Store) Put(ctx context.Context, e Entry) error {
	e.Name = canonicalName(e.Name)

	return s.update(ctx, func(f *file) {
		for i, old := range f.Entries {
			if sameName(old.Name, e.Name) && old.Value == e.Value {
				if e.LastSeen == nil {
					e.LastSeen = old.LastSeen
				}

				f.Entries[i] = e

				return
			}
		}

		f.Entries = append(f.Entries, e)
	})
}

// MarkRemoved notes that value was removed from fqdn at at. An unknown
// record is not an error (nothing to note).
func (s *Store) MarkRemoved(ctx context.Context, fqdn, value string, at time.Time) error {
	at = at.UTC()

	return s.update(ctx, func(f *file) {
		for i, e := range f.Entries {
			if sameName(e.Name, fqdn) && e.Value == value {
				f.Entries[i].Removed = &at
			}
		}
	})
}

// MarkSeen notes that value was seen served at fqdn at at.
func (s *Store) MarkSeen(ctx context.Context, fqdn, value string, at time.Time) error {
	at = at.UTC()

	return s.update(ctx, func(f *file) {
		for i, e := range f.Entries {
			if sameName(e.Name, fqdn) && e.Value == value {
				f.Entries[i].LastSeen = &at
			}
		}
	})
}

func (s *Store) read() (file, error) {
	var f file

	raw, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}

	if err != nil {
		return f, fmt.Errorf("record inventory: %w", err)
	}

	if err := json.Unmarshal(raw, &f); err != nil {
		return f, fmt.Errorf("record inventory %s: %w", s.path, err)
	}

	return f, nil
}

// update applies change to the file under the inventory's lock and
// replaces the file atomically.
func (s *Store) update(ctx context.Context, change func(*file)) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	lock, err := storage.Lock(ctx, s.dir, lockWait)
	if err != nil {
		return fmt.Errorf("record inventory: %w", err)
	}

	defer func() { _ = lock.Unlock() }()

	f, err := s.read()
	if err != nil {
		return err
	}

	change(&f)

	raw, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		return fmt.Errorf("record inventory: %w", err)
	}

	if err := storage.WriteFileAtomic(s.path, raw, storage.FilePerm); err != nil {
		return fmt.Errorf("record inventory: %w", err)
	}

	return nil
}

func canonicalName(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}

	return name
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

// Drift returns the standing entries of account (URL) at the record name
// fqdn whose value is not among served (the values the name serves now): a
// record this account published that is gone or was changed.
func (s *Store) Drift(fqdn, accountURL string, served []string) ([]Entry, error) {
	entries, err := s.Lookup(fqdn)
	if err != nil {
		return nil, err
	}

	have := make(map[string]bool, len(served))
	for _, v := range served {
		have[v] = true
	}

	var out []Entry

	for _, e := range entries {
		if e.Active() && e.AccountURL == accountURL && !have[e.Value] {
			out = append(out, e)
		}
	}

	return out, nil
}

// Expiring returns the standing entries whose persistUntil is before
// deadline (draft-02 §9.4: check the local provisioning state before
// ordering; pass now plus the time a validation may take).
func (s *Store) Expiring(deadline time.Time) ([]Entry, error) {
	entries, err := s.List()
	if err != nil {
		return nil, err
	}

	var out []Entry

	for _, e := range entries {
		if e.Active() && e.PersistUntil != nil && e.PersistUntil.Before(deadline) {
			out = append(out, e)
		}
	}

	return out, nil
}
