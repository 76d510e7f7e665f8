package account

import (
	"crypto"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

func hashedValue(t *testing.T, key crypto.PrivateKey, d, url string) string {
	t.Helper()

	return e2etest.PebbleIssuer + "; accounturi=" + e2etest.HashedAccountURI(t, key, d, url)
}

func zoneLine(name, value string) string {
	return fmt.Sprintf("%s 3600 IN TXT %q", name, value)
}

// inventoryValues reads the inventory file: value -> key thumbprint.
func inventoryValues(t *testing.T, h *e2etest.Harness) map[string]string {
	t.Helper()

	raw, err := os.ReadFile(inventoryFile(t, h))
	if err != nil {
		t.Fatal(err)
	}

	var f struct {
		Entries []struct{ Name, Value, KeyThumbprint, Draft, Publisher string }
	}

	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}

	out := map[string]string{}
	for _, e := range f.Entries {
		out[e.Value] = e.KeyThumbprint + " " + e.Draft + " " + e.Publisher
	}

	return out
}

func inventoryFile(t *testing.T, h *e2etest.Harness) string {
	t.Helper()

	dir, err := os.ReadDir(h.Path + "/inventory")
	if err != nil || len(dir) != 1 {
		t.Fatalf("want one inventory server folder: %v, %v", dir, err)
	}

	return h.Path + "/inventory/" + dir[0].Name() + "/" + email + ".json"
}

func TestDraft02RolloverRepublishesTheHashedRecordWithTheNewKey(t *testing.T) {
	b := bed.New(t, bed.Options{})
	proxy := e2etest.Proxy(t, b, e2etest.Draft02)

	h := newHarness(t, b)
	h.Server = proxy.URL
	d := e2etest.Domain(b, "hashed")
	name := e2etest.RecordName(d)

	// Pebble validates draft-01 records only, so this run fails after the
	// solver published the draft-02 record; the record and the account are
	// what matter here.
	res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run")

	before := readStored(t, h)
	oldValue := hashedValue(t, before.key, d, before.url)

	if got := e2etest.TXT(t, b, name); !slices.Equal(got, []string{oldValue}) {
		t.Fatalf("TXT at %s = %q, want the draft-02 value %q\n%s", name, got, oldValue, res)
	}

	if inv := inventoryValues(t, h); inv[oldValue] != thumbprint(t, before.key)+" draft-02 rfc2136" {
		t.Fatalf("inventory = %v, want %q with the key's thumbprint", inv, oldValue)
	}

	serial := e2etest.SOASerial(t, b)

	res = h.Run(t, "--dns-persist", "rfc2136", "account", "rollover")
	if res.Code != 0 {
		t.Fatalf("rollover failed:\n%s", res)
	}

	after := readStored(t, h)
	newValue := hashedValue(t, after.key, d, after.url)

	if after.url != before.url || newValue == oldValue {
		t.Fatalf("URL %s -> %s, value unchanged: %v", before.url, after.url, newValue == oldValue)
	}

	got := e2etest.TXT(t, b, name)
	slices.Sort(got)

	want := []string{oldValue, newValue}
	slices.Sort(want)

	if !slices.Equal(got, want) {
		t.Errorf("TXT at %s = %q, want the old and the new value %q", name, got, want)
	}

	if s := e2etest.SOASerial(t, b); s != serial+1 {
		t.Errorf("SOA serial %d -> %d, want exactly one write", serial, s)
	}

	for _, line := range []string{
		"published: " + zoneLine(name, newValue),
		"served: " + name,
		"remove: " + zoneLine(name, oldValue),
		"stay valid at the CA until the account is deactivated",
	} {
		if !strings.Contains(res.Stdout, line) {
			t.Errorf("rollover output lacks %q:\n%s", line, res)
		}
	}

	if inv := inventoryValues(t, h); inv[newValue] != thumbprint(t, after.key)+" draft-02 rfc2136" {
		t.Errorf("inventory = %v, want %q with the new key's thumbprint", inv, newValue)
	}

	// A second rollover without a publisher prints the value to publish.
	res = h.Run(t, "account", "rollover")
	third := readStored(t, h)

	thirdValue := hashedValue(t, third.key, d, third.url)
	if res.Code != 0 || !strings.Contains(res.Stdout, "publish: "+zoneLine(name, thirdValue)) {
		t.Errorf("rollover without --dns-persist: want the new value printed %q:\n%s", thirdValue, res)
	}

	var show struct {
		Draft   string
		Records []struct{ Value, Form string }
	}

	res = h.Run(t, "account", "show", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &show); err != nil {
		t.Fatalf("%v\n%s", err, res)
	}

	anyDomain := hashedValue(t, third.key, "*", third.url)
	if show.Draft != "draft-02" || len(show.Records) != 1 || show.Records[0].Value != anyDomain || show.Records[0].Form != "any-domain" {
		t.Errorf("account show = %+v, want draft-02 and the any-domain value %q", show, anyDomain)
	}
}

func TestDraft02ValueHashedWithAPriorKeyCountsAsOursAfterRollover(t *testing.T) {
	b := bed.New(t, bed.Options{})
	proxy := e2etest.Proxy(t, b, e2etest.Draft02)

	h := newHarness(t, b)
	h.Server = proxy.URL
	d := e2etest.Domain(b, "prior")
	name := e2etest.RecordName(d)

	// Publishes the value hashed with the first key (Pebble then fails to
	// validate it: it speaks draft-01 inside).
	h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run")

	first := readStored(t, h)
	oldValue := hashedValue(t, first.key, d, first.url)

	if got := e2etest.TXT(t, b, name); !slices.Equal(got, []string{oldValue}) {
		t.Fatalf("TXT at %s = %q, want %q", name, got, oldValue)
	}

	// Rollover without a publisher: the new value is only printed.
	if res := h.Run(t, "account", "rollover"); res.Code != 0 {
		t.Fatalf("rollover failed:\n%s", res)
	}

	serial := e2etest.SOASerial(t, b)

	// The old value is still accepted by a draft-02 CA (§4.2): the solver
	// must take it as this account's and write nothing.
	res := h.Run(t, "--dns-persist", "rfc2136", "-d", d, "run")

	if s := e2etest.SOASerial(t, b); s != serial {
		t.Errorf("SOA serial %d -> %d: the value hashed with the prior key was not recognized\n%s", serial, s, res)
	}

	if got := e2etest.TXT(t, b, name); !slices.Equal(got, []string{oldValue}) {
		t.Errorf("TXT at %s = %q, want only the prior-key value", name, got)
	}
}

func TestDraft02RolloverWithDomainsCoversRecordsPublishedByHand(t *testing.T) {
	b := bed.New(t, bed.Options{})
	proxy := e2etest.Proxy(t, b, e2etest.Draft02)

	h := newHarness(t, b)
	h.Server = proxy.URL
	d := e2etest.Domain(b, "byhand")
	name := e2etest.RecordName(d)

	// Registers (read-only: nothing is published, the run fails).
	h.Run(t, "--accept-tos", "--dns-persist", "none", "-d", d, "run")

	before := readStored(t, h)
	oldValue := hashedValue(t, before.key, d, before.url)
	e2etest.AddTXT(t, b, name, oldValue) // by an operator: not in the inventory

	res := h.Run(t, "--dns-persist", "rfc2136", "-d", d, "account", "rollover")
	if res.Code != 0 {
		t.Fatalf("rollover failed:\n%s", res)
	}

	after := readStored(t, h)
	newValue := hashedValue(t, after.key, d, after.url)

	for _, line := range []string{"published: " + zoneLine(name, newValue), "remove: " + zoneLine(name, oldValue)} {
		if !strings.Contains(res.Stdout, line) {
			t.Errorf("rollover output lacks %q:\n%s", line, res)
		}
	}

	got := e2etest.TXT(t, b, name)
	if len(got) != 2 || !slices.Contains(got, oldValue) || !slices.Contains(got, newValue) {
		t.Errorf("TXT at %s = %q, want the hand-written and the new value", name, got)
	}

	var show struct {
		Domains []struct{ Domain, Value string }
	}

	res = h.Run(t, "-d", d, "account", "show", "--json")
	if err := json.Unmarshal([]byte(res.Stdout), &show); err != nil || len(show.Domains) != 1 || show.Domains[0].Value != newValue {
		t.Errorf("account show -d = %+v (%v), want the new value %q\n%s", show, err, newValue, res)
	}
}
