// Package account holds end-to-end tests of 'lego-persist account show |
// rollover | deactivate' and the record inventory: the binary runs as a
// child process against Pebble and BIND 9 on loopback (e2e/bed), and the
// tests look at what the CA accepts, what DNS serves and which files exist.
package account

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-jose/go-jose/v4"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// binary is lego-persist; legoBin is lego v4.35.2's own CLI (go.mod's tool
// line), to show that lego keeps working on the same --path.
var (
	binary  = &e2etest.Binary{Pkg: e2etest.PersistPkg, LDFlags: "-X main.version=e2e"}
	legoBin = &e2etest.Binary{Pkg: e2etest.LegoPkg}
)

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-account-", binary, legoBin))
}

const email = "acct@example.com"

func newHarness(t *testing.T, b *bed.Bed) *e2etest.Harness {
	t.Helper()

	return e2etest.NewHarness(t, b, binary.Path, email, 2*time.Minute)
}

// stored is the account as lego's layout holds it.
type stored struct {
	dir      string
	url      string
	json     []byte
	key      crypto.PrivateKey
	keyFile  string
	nextFile string
}

func readStored(t *testing.T, h *e2etest.Harness) stored {
	t.Helper()

	matches, err := filepath.Glob(filepath.Join(h.Path, "accounts", "*", email, "account.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want one account.json, found %q (%v)", matches, err)
	}

	s := stored{dir: filepath.Dir(matches[0])}
	s.keyFile = filepath.Join(s.dir, "keys", email+".key")
	s.nextFile = s.keyFile + ".next"

	if s.json, err = os.ReadFile(matches[0]); err != nil {
		t.Fatal(err)
	}

	var acct struct {
		Registration struct {
			URI string `json:"uri"`
		} `json:"registration"`
	}

	if err := json.Unmarshal(s.json, &acct); err != nil || acct.Registration.URI == "" {
		t.Fatalf("account.json without registration URI (%v): %s", err, s.json)
	}

	s.url = acct.Registration.URI
	s.key = readKey(t, s.keyFile)

	info, err := os.Stat(s.keyFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v, mode %v; want 0600", s.keyFile, err, info.Mode().Perm())
	}

	return s
}

func readKey(t *testing.T, path string) crypto.PrivateKey {
	t.Helper()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}

	return key
}

func thumbprint(t *testing.T, key crypto.PrivateKey) string {
	t.Helper()

	tp, err := (&jose.JSONWebKey{Key: key.(crypto.Signer).Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}

	return base64.RawURLEncoding.EncodeToString(tp)
}

// caAccount asks Pebble (through lego's own API, not the code under test)
// for the account at url, signed with key.
func caAccount(t *testing.T, b *bed.Bed, dirURL, url string, key crypto.PrivateKey) (acme.Account, error) {
	t.Helper()

	core, err := api.New(b.HTTPClient(), "e2e", dirURL, url, key)
	if err != nil {
		t.Fatal(err)
	}

	return core.Accounts.Get(url)
}

// keyOwner is the account URL Pebble has for key (onlyReturnExisting).
func keyOwner(t *testing.T, b *bed.Bed, dirURL string, key crypto.PrivateKey) (string, error) {
	t.Helper()

	core, err := api.New(b.HTTPClient(), "e2e", dirURL, "", key)
	if err != nil {
		t.Fatal(err)
	}

	acct, err := core.Accounts.New(acme.Account{OnlyReturnExisting: true})

	return acct.Location, err
}

func problemType(err error) string {
	var p *acme.ProblemDetails
	if errors.As(err, &p) {
		return p.Type
	}

	return ""
}

// priorThumbprints reads the key history file.
func priorThumbprints(t *testing.T, s stored) []string {
	t.Helper()

	raw, err := os.ReadFile(s.keyFile + "-history.json")
	if err != nil {
		t.Fatal(err)
	}

	var h struct {
		Prior []struct {
			Thumbprint string `json:"thumbprint"`
		} `json:"prior"`
	}

	if err := json.Unmarshal(raw, &h); err != nil {
		t.Fatal(err)
	}

	var out []string
	for _, p := range h.Prior {
		out = append(out, p.Thumbprint)
	}

	return out
}
