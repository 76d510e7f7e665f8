// Package providers holds end-to-end tests of the exec and httpreq
// publishers through the lego-persist binary: a script or an HTTP endpoint
// written the way lego users write them for lego's exec and httpreq DNS
// providers performs the update against BIND 9, and Pebble issues the
// certificate (both servers on loopback, started by e2e/bed).
package providers

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// binary is the lego-persist built by TestMain.
var binary = &e2etest.Binary{Pkg: e2etest.PersistPkg}

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-providers-", binary))
}

// harness runs the binary against one bed with one --path and account.
type harness struct {
	*e2etest.Harness
}

// newHarness runs the binary against b's CA with a fresh --path, account
// providers@example.com, a 50ms propagation poll, at most 2 minutes a run,
// and env (the provider's EXEC_* or HTTPREQ_* variables) after the bed's.
func newHarness(t *testing.T, b *bed.Bed, env ...string) *harness {
	t.Helper()

	h := e2etest.NewHarness(t, b, binary.Path, "providers@example.com", 2*time.Minute)
	h.Env = env

	return &harness{h}
}

// accountURI is the URL of the account stored under the harness's path.
func (h *harness) accountURI(t *testing.T) string {
	t.Helper()

	matches, err := filepath.Glob(filepath.Join(h.Path, "accounts", "*", h.Email, "account.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("account.json under %s: %q (%v), want exactly one", h.Path, matches, err)
	}

	raw, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}

	var acc struct{ Registration struct{ URI string } }
	if err := json.Unmarshal(raw, &acc); err != nil || acc.Registration.URI == "" {
		t.Fatalf("%s: %v, URI %q", matches[0], err, acc.Registration.URI)
	}

	return acc.Registration.URI
}

// wantValue is the record value lego-persist publishes for the harness's
// account at the bed's CA (draft-01, first issuer name, no options).
func (h *harness) wantValue(t *testing.T) string {
	t.Helper()

	return h.Bed.IssuerDomains[0] + "; accounturi=" + h.accountURI(t)
}

// storedCert parses the stored certificate of domain and checks that it
// names domain and that the stored key belongs to it.
func storedCert(t *testing.T, path, domain string) *x509.Certificate {
	t.Helper()

	leaf := e2etest.StoredCert(t, path, domain)

	if err := leaf.VerifyHostname(domain); err != nil {
		t.Errorf("stored certificate does not cover %s: %v", domain, err)
	}

	return leaf
}

// dnsState is the zone's SOA serial and named's count of UPDATE messages
// (the bed's own AddTXT/DeleteTXT not included).
type dnsState struct {
	serial  uint32
	updates int
}

func state(t *testing.T, b *bed.Bed) dnsState {
	t.Helper()

	return dnsState{serial: e2etest.SOASerial(t, b), updates: e2etest.UpdateCount(t, b)}
}

// wantOneUpdate fails unless exactly one UPDATE reached named between
// before and now and it changed the zone once.
func wantOneUpdate(t *testing.T, b *bed.Bed, before dnsState) {
	t.Helper()

	if now := state(t, b); now.serial != before.serial+1 || now.updates != before.updates+1 {
		t.Errorf("SOA serial %d -> %d, UPDATEs %d -> %d; want exactly one of each",
			before.serial, now.serial, before.updates, now.updates)
	}
}

// wantNoUpdate fails if anything wrote to the zone since before.
func wantNoUpdate(t *testing.T, b *bed.Bed, before dnsState) {
	t.Helper()

	if now := state(t, b); now != before {
		t.Errorf("DNS written: SOA serial %d -> %d, UPDATEs %d -> %d",
			before.serial, now.serial, before.updates, now.updates)
	}
}
