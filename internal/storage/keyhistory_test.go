package storage

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
)

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()

	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	return k
}

func TestRolloverJournalAndInstallKeepLegoLayout(t *testing.T) {
	root := t.TempDir()

	as, err := New(root).Account("https://ca.example:14000/dir", "a@example.com")
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := as.Key(certcrypto.EC256); err != nil {
		t.Fatal(err)
	}

	if err := as.Save(NewAccount("a@example.com", nil)); err != nil {
		t.Fatal(err)
	}

	if k, err := as.ReadNextKey(); k != nil || err != nil {
		t.Fatalf("ReadNextKey without journal = %v, %v; want nil, nil", k, err)
	}

	next := newKey(t)
	if err := as.WriteNextKey(next); err != nil {
		t.Fatal(err)
	}

	info, err := os.Stat(as.NextKeyPath())
	if err != nil || info.Mode().Perm() != FilePerm {
		t.Fatalf("journal %s: %v, mode %v; want %v", as.NextKeyPath(), err, info.Mode().Perm(), FilePerm)
	}

	got, err := as.ReadNextKey()
	if err != nil || !next.Equal(got) {
		t.Fatalf("ReadNextKey = %v, %v; want the journaled key", got, err)
	}

	prior := PriorKey{Thumbprint: "old-thumbprint", KeyType: "P256", Retired: time.Unix(1700000000, 0).UTC()}

	// Twice, as a recovery after a crash half-way through would.
	for range 2 {
		if err := as.InstallKey(next, "https://ca.example/acct/1", prior); err != nil {
			t.Fatal(err)
		}
	}

	key, err := as.ReadKey()
	if err != nil || !next.Equal(key) {
		t.Fatalf("ReadKey after InstallKey = %v, %v; want the new key", key, err)
	}

	if _, err := os.Stat(as.NextKeyPath()); !os.IsNotExist(err) {
		t.Errorf("journal still there after InstallKey: %v", err)
	}

	priors, err := as.PriorKeys()
	if err != nil || !reflect.DeepEqual(priors, []PriorKey{prior}) {
		t.Errorf("PriorKeys = %+v, %v; want exactly %+v", priors, err, prior)
	}

	for _, p := range []string{as.KeyPath(), as.KeyHistoryPath()} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != FilePerm {
			t.Errorf("%s: %v (mode %v), want %v", p, err, info.Mode().Perm(), FilePerm)
		}
	}

	// lego v4's "list --accounts" parses accounts/*/*/*.json as accounts:
	// only account.json may match.
	matches, err := filepath.Glob(filepath.Join(root, "accounts", "*", "*", "*.json"))
	if err != nil || len(matches) != 1 || filepath.Base(matches[0]) != "account.json" {
		t.Errorf("lego's account glob matches %q, want only account.json", matches)
	}
}

func TestAddPriorKeyRefusesEmptyThumbprint(t *testing.T) {
	as, err := New(t.TempDir()).Account("https://ca.example/dir", "")
	if err != nil {
		t.Fatal(err)
	}

	if err := as.AddPriorKey("u", PriorKey{}); err == nil {
		t.Error("AddPriorKey accepted an empty thumbprint")
	}
}
