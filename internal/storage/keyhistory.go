package storage

import (
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
)

// Files an account key rollover keeps beside lego's layout. They live in the
// keys folder, where lego v4 reads only <email>.key, and carry no ".json"
// suffix in the account folder itself, where lego v4's "list --accounts"
// parses every *.json file as an account.
const (
	// nextKeySuffix is the journaled key of a rollover in flight.
	nextKeySuffix = ".key.next"
	// historySuffix is the list of the account's earlier keys.
	historySuffix = ".key-history.json"
)

// PriorKey is one key the account used before a rollover.
type PriorKey struct {
	// Thumbprint is the key's RFC 7638 SHA-256 JWK thumbprint, base64url
	// without padding: what a draft-02 record value was hashed with.
	Thumbprint string `json:"thumbprint"`
	// KeyType is the key's type as lego names it ("P256", "2048", ...).
	KeyType string `json:"keyType,omitempty"`
	// Retired is when the CA accepted the key that replaced it.
	Retired time.Time `json:"retired"`
}

type keyHistoryFile struct {
	// AccountURL is the account these keys belonged to.
	AccountURL string     `json:"accountURL,omitempty"`
	Prior      []PriorKey `json:"prior"`
}

// NextKeyPath is where a rollover journals the new key before it asks the
// CA to change the key (keys/<email>.key.next).
func (a *AccountStore) NextKeyPath() string {
	return filepath.Join(a.keysDir, a.userID+nextKeySuffix)
}

// KeyHistoryPath is the file of the account's earlier key thumbprints
// (keys/<email>.key-history.json).
func (a *AccountStore) KeyHistoryPath() string {
	return filepath.Join(a.keysDir, a.userID+historySuffix)
}

// WriteNextKey journals key (PEM, FilePerm, atomically) as the key a
// rollover is about to install. It must reach the disk before the CA is
// asked to change the key: if the process dies after the CA accepted, the
// journal is the only copy of the account's key.
func (a *AccountStore) WriteNextKey(key crypto.PrivateKey) error {
	if err := ensureDir(a.keysDir); err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := WriteFileAtomic(a.NextKeyPath(), pem.EncodeToMemory(certcrypto.PEMBlock(key)), FilePerm); err != nil {
		return fmt.Errorf("journal the new account key: %w", err)
	}

	return nil
}

// ReadNextKey returns the journaled key of an unfinished rollover, or nil
// (and no error) when there is none.
func (a *AccountStore) ReadNextKey() (crypto.PrivateKey, error) {
	path := a.NextKeyPath()

	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}

	if err != nil {
		return nil, fmt.Errorf("journaled account key %s: %w", path, err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("journaled account key %s: %w", path, err)
	}

	return key, nil
}

// DiscardNextKey removes the journaled key (only when the CA is known to
// have kept the old key). A missing journal is not an error.
func (a *AccountStore) DiscardNextKey() error {
	if err := os.Remove(a.NextKeyPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove journaled account key: %w", err)
	}

	syncDir(a.keysDir)

	return nil
}

// InstallKey makes key the account key after the CA accepted it: prior (the
// key it replaces) is added to the key history first, then key replaces
// keys/<email>.key atomically (PEM, FilePerm, as lego writes it), then the
// journal is removed. Each step can be repeated: a run that died half-way
// is finished by calling InstallKey again with the same arguments.
func (a *AccountStore) InstallKey(key crypto.PrivateKey, accountURL string, prior PriorKey) error {
	if err := a.AddPriorKey(accountURL, prior); err != nil {
		return err
	}

	if err := ensureDir(a.keysDir); err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := WriteFileAtomic(a.KeyPath(), pem.EncodeToMemory(certcrypto.PEMBlock(key)), FilePerm); err != nil {
		return fmt.Errorf("save the new account key: %w", err)
	}

	return a.DiscardNextKey()
}

// PriorKeys returns the account's earlier keys, oldest first (none when no
// rollover happened).
func (a *AccountStore) PriorKeys() ([]PriorKey, error) {
	h, err := a.readHistory()
	if err != nil {
		return nil, err
	}

	return h.Prior, nil
}

// AddPriorKey records prior in the key history (atomically); a thumbprint
// already there is not added twice.
func (a *AccountStore) AddPriorKey(accountURL string, prior PriorKey) error {
	if prior.Thumbprint == "" {
		return errors.New("key history: empty thumbprint")
	}

	h, err := a.readHistory()
	if err != nil {
		return err
	}

	for _, p := range h.Prior {
		if p.Thumbprint == prior.Thumbprint {
			return nil
		}
	}

	if h.AccountURL == "" {
		h.AccountURL = accountURL
	}

	h.Prior = append(h.Prior, prior)

	raw, err := json.MarshalIndent(h, "", "\t")
	if err != nil {
		return fmt.Errorf("key history: %w", err)
	}

	if err := ensureDir(a.keysDir); err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := WriteFileAtomic(a.KeyHistoryPath(), raw, FilePerm); err != nil {
		return fmt.Errorf("key history: %w", err)
	}

	return nil
}

func (a *AccountStore) readHistory() (keyHistoryFile, error) {
	var h keyHistoryFile

	raw, err := os.ReadFile(a.KeyHistoryPath())
	if errors.Is(err, os.ErrNotExist) {
		return h, nil
	}

	if err != nil {
		return h, fmt.Errorf("key history: %w", err)
	}

	if err := json.Unmarshal(raw, &h); err != nil {
		return h, fmt.Errorf("key history %s: %w", a.KeyHistoryPath(), err)
	}

	return h, nil
}
