package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/lego-persist/lego-persist/internal/storage"
)

// markerName is the file beside account.json that marks a deactivated
// account. account.json itself stays as lego v4 wrote it, and the name
// does not end in ".json", which lego v4's "list --accounts" would parse as
// an account.
const markerName = "account.deactivated"

// Deactivation is what the marker file records.
type Deactivation struct {
	// AccountURL is the account's URL.
	AccountURL string `json:"accountURL"`
	// CA is the ACME directory URL.
	CA string `json:"ca"`
	// At is when the CA accepted the deactivation.
	At time.Time `json:"at"`
}

// MarkerPath is the deactivation marker of the account stored in as.
func MarkerPath(as *storage.AccountStore) string {
	return filepath.Join(as.Dir(), markerName)
}

// MarkDeactivated writes the deactivation marker (atomically, 0600).
func MarkDeactivated(as *storage.AccountStore, d Deactivation) error {
	raw, err := json.MarshalIndent(d, "", "\t")
	if err != nil {
		return fmt.Errorf("deactivation marker: %w", err)
	}

	if err := os.MkdirAll(as.Dir(), storage.FolderPerm); err != nil {
		return fmt.Errorf("deactivation marker: %w", err)
	}

	if err := storage.WriteFileAtomic(MarkerPath(as), raw, storage.FilePerm); err != nil {
		return fmt.Errorf("deactivation marker: %w", err)
	}

	return nil
}

// Deactivated returns the deactivation marker of the account stored in as,
// or nil when the account is not marked deactivated.
func Deactivated(as *storage.AccountStore) (*Deactivation, error) {
	raw, err := os.ReadFile(MarkerPath(as))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}

	if err != nil {
		return nil, fmt.Errorf("deactivation marker: %w", err)
	}

	var d Deactivation
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("deactivation marker %s: %w", MarkerPath(as), err)
	}

	return &d, nil
}

// DeactivatedError is returned by CheckActive for a deactivated account.
type DeactivatedError struct {
	Deactivation
	// Dir is the account's folder.
	Dir string
}

func (e *DeactivatedError) Error() string {
	return fmt.Sprintf("account %s is deactivated at %s (since %s); create a new account: "+
		"run 'lego-persist --email <another address> --accept-tos ... run' (or move %s away first to keep this address), "+
		"then publish the new account's records",
		e.AccountURL, e.CA, e.At.Format(time.RFC3339), e.Dir)
}

// CheckActive returns a *DeactivatedError when the account stored in as was
// deactivated by 'account deactivate': commands that would use it stop
// with that explanation instead of failing at the CA.
func CheckActive(as *storage.AccountStore) error {
	d, err := Deactivated(as)
	if err != nil {
		return err
	}

	if d != nil {
		return &DeactivatedError{Deactivation: *d, Dir: as.Dir()}
	}

	return nil
}
