package storage

import (
	"crypto"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/registration"
)

// Folder and file names of lego v4's accounts layout.
const (
	accountsFolder  = "accounts"
	keysFolder      = "keys"
	accountFileName = "account.json"
	// NoEmailUserID is the folder lego uses for an account without email.
	NoEmailUserID = "noemail@example.com"
)

// Account is lego v4's stored account (account.json) and implements
// registration.User. Its JSON form is lego's, field for field.
type Account struct {
	Email        string                 `json:"email"`
	Registration *registration.Resource `json:"registration"`
	key          crypto.PrivateKey
}

// NewAccount returns an unregistered account for email with key.
func NewAccount(email string, key crypto.PrivateKey) *Account {
	return &Account{Email: email, key: key}
}

// GetEmail implements registration.User.
func (a *Account) GetEmail() string { return a.Email }

// GetPrivateKey implements registration.User.
func (a *Account) GetPrivateKey() crypto.PrivateKey { return a.key }

// GetRegistration implements registration.User.
func (a *Account) GetRegistration() *registration.Resource { return a.Registration }

// Registered reports whether the account has a registration with a URL.
func (a *Account) Registered() bool {
	return a.Registration != nil && a.Registration.URI != "" && a.Registration.Body.Status != ""
}

// AccountStore is the storage of one account: one CA server, one email.
//
//	<root>/accounts/<server host, ":" as "_">/<email>/account.json
//	<root>/accounts/<server host, ":" as "_">/<email>/keys/<email>.key
type AccountStore struct {
	email    string
	userID   string
	dir      string
	keysDir  string
	warnf    func(format string, args ...any)
	fileName string
}

// ServerFolder is the folder name lego v4 derives from a CA directory URL:
// its host (with port), ":" replaced by "_" and "/" by the path separator.
func ServerFolder(serverURL string) (string, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", fmt.Errorf("server URL %q: %w", serverURL, err)
	}

	if u.Host == "" {
		return "", fmt.Errorf("server URL %q has no host", serverURL)
	}

	return strings.NewReplacer(":", "_", "/", string(os.PathSeparator)).Replace(u.Host), nil
}

// Account returns the storage of the account for serverURL and email (lego
// uses "noemail@example.com" when email is empty). Nothing is created yet.
func (s *Store) Account(serverURL, email string) (*AccountStore, error) {
	server, err := ServerFolder(serverURL)
	if err != nil {
		return nil, err
	}

	userID := email
	if userID == "" {
		userID = NoEmailUserID
	}

	if strings.ContainsAny(userID, `/\`) || userID == "." || userID == ".." {
		return nil, fmt.Errorf("email %q cannot be used as a folder name", email)
	}

	dir := filepath.Join(s.root, accountsFolder, server, userID)

	return &AccountStore{
		email:    email,
		userID:   userID,
		dir:      dir,
		keysDir:  filepath.Join(dir, keysFolder),
		warnf:    s.warnf,
		fileName: filepath.Join(dir, accountFileName),
	}, nil
}

// Dir is the account's folder.
func (a *AccountStore) Dir() string { return a.dir }

// FilePath is the account.json path.
func (a *AccountStore) FilePath() string { return a.fileName }

// KeyPath is the account key's path.
func (a *AccountStore) KeyPath() string { return filepath.Join(a.keysDir, a.userID+".key") }

// Exists reports whether account.json exists.
func (a *AccountStore) Exists() (bool, error) {
	_, err := os.Stat(a.fileName)

	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("account %s: %w", a.userID, err)
	}
}

// Key loads the account key, or generates one of keyType and stores it
// (PEM, FilePerm) when there is none; created tells which happened. An
// existing key readable by group or others is used, with a warning.
func (a *AccountStore) Key(keyType certcrypto.KeyType) (key crypto.PrivateKey, created bool, err error) {
	path := a.KeyPath()

	_, err = os.Stat(path)

	switch {
	case err == nil:
		key, err := a.ReadKey()
		return key, false, err
	case !errors.Is(err, os.ErrNotExist):
		return nil, false, fmt.Errorf("account key %s: %w", path, err)
	}

	key, err = certcrypto.GeneratePrivateKey(keyType)
	if err != nil {
		return nil, false, fmt.Errorf("generate %s account key: %w", keyType, err)
	}

	if err := ensureDir(a.keysDir); err != nil {
		return nil, false, fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := WriteFileAtomic(path, pem.EncodeToMemory(certcrypto.PEMBlock(key)), FilePerm); err != nil {
		return nil, false, fmt.Errorf("save account key: %w", err)
	}

	return key, true, nil
}

// ReadKey loads the existing account key; the error wraps os.ErrNotExist
// when there is none. It never creates a key.
func (a *AccountStore) ReadKey() (crypto.PrivateKey, error) {
	path := a.KeyPath()

	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("account key %s: %w", path, err)
	}

	a.checkPerm(path)

	key, err := certcrypto.ParsePEMPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("account key %s: %w", path, err)
	}

	return key, nil
}

// Load reads account.json and attaches key. A stored account without
// registration (lego writes such files after some failures) is returned with
// Registered() false; the caller can recover it from the CA.
func (a *AccountStore) Load(key crypto.PrivateKey) (*Account, error) {
	raw, err := os.ReadFile(a.fileName)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", a.userID, err)
	}

	var acct Account
	if err := json.Unmarshal(raw, &acct); err != nil {
		return nil, fmt.Errorf("account %s: parse %s: %w", a.userID, a.fileName, err)
	}

	acct.key = key

	return &acct, nil
}

// Save writes account.json atomically, formatted as lego writes it.
func (a *AccountStore) Save(acct *Account) error {
	raw, err := json.MarshalIndent(acct, "", "\t")
	if err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := ensureDir(a.dir); err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	if err := WriteFileAtomic(a.fileName, raw, FilePerm); err != nil {
		return fmt.Errorf("account %s: %w", a.userID, err)
	}

	return nil
}

func (a *AccountStore) checkPerm(path string) {
	if a.warnf == nil {
		return
	}

	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o077 != 0 {
		a.warnf("%s is readable by group or others (mode %04o): run chmod 600 %s", path, info.Mode().Perm(), path)
	}
}
