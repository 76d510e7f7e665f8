package account

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// issue runs 'run' for d with the rfc2136 publisher and fails t unless it
// issued.
func issue(t *testing.T, h *e2etest.Harness, d string) {
	t.Helper()

	if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("run failed:\n%s", res)
	}
}

func renew(t *testing.T, h *e2etest.Harness, d string) e2etest.Result {
	t.Helper()

	return h.Run(t, "--dns-persist", "rfc2136", "-d", d, "renew", "--days", "9999", "--no-random-sleep")
}

func TestRolloverThenRenewUsesTheNewKeyAndWritesNoDNS(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "roll")

	issue(t, h, d)

	before := readStored(t, h)
	oldTP := thumbprint(t, before.key)
	serial := e2etest.SOASerial(t, b)

	res := h.Run(t, "account", "rollover")
	if res.Code != 0 {
		t.Fatalf("rollover failed:\n%s", res)
	}

	after := readStored(t, h)
	newTP := thumbprint(t, after.key)

	if newTP == oldTP {
		t.Fatal("the stored key did not change")
	}

	if !bytes.Equal(after.json, before.json) {
		t.Errorf("account.json changed:\n%s\n->\n%s", before.json, after.json)
	}

	if _, err := os.Stat(after.nextFile); !os.IsNotExist(err) {
		t.Errorf("journal %s left behind: %v", after.nextFile, err)
	}

	if got := priorThumbprints(t, after); !slices.Equal(got, []string{oldTP}) {
		t.Errorf("key history = %q, want [%s]", got, oldTP)
	}

	if !strings.Contains(res.Stdout, oldTP+" -> "+newTP) || !strings.Contains(res.Stdout, "nothing to re-publish") {
		t.Errorf("rollover output lacks the thumbprints or the draft-01 note:\n%s", res)
	}

	// What the CA saw: the new key signs for the same account URL, the old
	// one is refused.
	if acct, err := caAccount(t, b, h.Server, after.url, after.key); err != nil || acct.Status != "valid" {
		t.Errorf("Pebble with the new key: %+v, %v; want the valid account", acct, err)
	}

	if _, err := caAccount(t, b, h.Server, after.url, before.key); err == nil {
		t.Error("Pebble still accepts the old key")
	}

	res = renew(t, h, d)
	if res.Code != 0 || !strings.Contains(res.Stdout, d+": renewed") {
		t.Fatalf("renew after rollover failed:\n%s", res)
	}

	if got := e2etest.SOASerial(t, b); got != serial {
		t.Errorf("SOA serial %d -> %d: rollover + renew wrote DNS, want 0 writes (draft-01 records hold the unchanged URL)", serial, got)
	}

	var show struct {
		URL, Status, Thumbprint, KeyType, Draft string
		PriorKeys                               []struct{ Thumbprint string }
		Records                                 []struct{ Value string }
	}

	res = h.Run(t, "account", "show", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &show); err != nil || res.Code != 0 {
		t.Fatalf("account show --json: %v\n%s", err, res)
	}

	wantValue := e2etest.PebbleIssuer + "; accounturi=" + after.url
	if show.URL != after.url || show.Status != "valid" || show.Thumbprint != newTP || show.KeyType != "ec256" || show.Draft != "draft-01" ||
		len(show.PriorKeys) != 1 || show.PriorKeys[0].Thumbprint != oldTP || len(show.Records) != 1 || show.Records[0].Value != wantValue {
		t.Errorf("account show = %+v; want URL %s, valid, thumbprint %s, ec256, draft-01, prior %s, record %q",
			show, after.url, newTP, oldTP, wantValue)
	}
}

func TestRolloverToAnotherKeyType(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	issue(t, h, e2etest.Domain(b, "type"))

	if res := h.Run(t, "--key-type", "rsa2048", "account", "rollover"); res.Code != 0 {
		t.Fatalf("rollover failed:\n%s", res)
	}

	s := readStored(t, h)
	if !strings.Contains(string(must(os.ReadFile(s.keyFile))), "RSA PRIVATE KEY") {
		t.Errorf("stored key is not RSA after --key-type rsa2048")
	}

	if _, err := caAccount(t, b, h.Server, s.url, s.key); err != nil {
		t.Errorf("Pebble refuses the new RSA key: %v", err)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}

	return b
}

func TestRolloverKilledAfterTheCAAcceptedIsFinishedByTheNextRun(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "crash")

	issue(t, h, d)

	before := readStored(t, h)
	serial := e2etest.SOASerial(t, b)

	h.Env = []string{"LEGO_PERSIST_TEST_EXIT_AFTER_KEY_CHANGE=1"}
	res := h.Run(t, "account", "rollover")
	h.Env = nil

	if res.Code != 137 {
		t.Fatalf("want the rollover to exit 137 at the hook:\n%s", res)
	}

	// The CA has the journaled key; the stored key is still the old one.
	next := readKey(t, before.nextFile)

	if owner, err := keyOwner(t, b, h.Server, next); err != nil || owner != before.url {
		t.Fatalf("Pebble's account for the journaled key = %q, %v; want %s (the CA accepted it)", owner, err, before.url)
	}

	if thumbprint(t, readKey(t, before.keyFile)) != thumbprint(t, before.key) {
		t.Fatal("the key file changed although the process exited before storing")
	}

	res = renew(t, h, d)
	if res.Code != 0 || !strings.Contains(res.Stderr, "finished an interrupted key rollover") {
		t.Fatalf("renew after the interrupted rollover:\n%s", res)
	}

	after := readStored(t, h)
	if thumbprint(t, after.key) != thumbprint(t, next) {
		t.Error("the journaled key was not installed")
	}

	if _, err := os.Stat(after.nextFile); !os.IsNotExist(err) {
		t.Errorf("journal left behind: %v", err)
	}

	if got := priorThumbprints(t, after); !slices.Equal(got, []string{thumbprint(t, before.key)}) {
		t.Errorf("key history = %q, want the old key's thumbprint", got)
	}

	if got := e2etest.SOASerial(t, b); got != serial {
		t.Errorf("SOA serial %d -> %d, want no DNS write", serial, got)
	}
}

func TestRolloverKilledBeforeTheRequestKeepsTheOldKeyUntilRolloverRetries(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "retry")

	issue(t, h, d)

	s := readStored(t, h)

	// A journal the CA never saw, as if the process died right after
	// writing it.
	next, err := certcrypto.GeneratePrivateKey(certcrypto.EC256)
	if err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(s.nextFile, certcrypto.PEMEncode(next), 0o600); err != nil {
		t.Fatal(err)
	}

	res := renew(t, h, d)
	if res.Code != 0 || !strings.Contains(res.Stderr, "the CA has not taken") {
		t.Fatalf("renew with a journal the CA never saw: want exit 0 and a warning:\n%s", res)
	}

	if got := readStored(t, h); thumbprint(t, got.key) != thumbprint(t, s.key) {
		t.Fatal("renew replaced the key with one the CA does not know")
	}

	if _, err := os.Stat(s.nextFile); err != nil {
		t.Fatalf("renew removed the journal: %v", err)
	}

	res = h.Run(t, "account", "rollover")
	if res.Code != 0 || !strings.Contains(res.Stderr, "retrying the interrupted rollover") {
		t.Fatalf("rollover with a pending journal:\n%s", res)
	}

	after := readStored(t, h)
	if thumbprint(t, after.key) != thumbprint(t, next) {
		t.Error("rollover did not finish with the journaled key")
	}

	if owner, err := keyOwner(t, b, h.Server, next); err != nil || owner != s.url {
		t.Errorf("Pebble's account for the journaled key = %q, %v; want %s", owner, err, s.url)
	}

	if _, err := os.Stat(s.nextFile); !os.IsNotExist(err) {
		t.Errorf("journal left behind: %v", err)
	}
}
