package cli

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// draft02CA is a harness whose CA is Pebble behind the draft-02 proxy, with
// an account registered through that proxy.
type draft02CA struct {
	*e2etest.Harness
	proxy *bed.Proxy
}

func newDraft02CA(t *testing.T) *draft02CA {
	t.Helper()

	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, e2etest.Draft02)

	ca := &draft02CA{Harness: newHarness(t, b), proxy: proxy}
	ca.Server = proxy.URL

	// Pre-provisioning starts at account creation (draft-02 §4.5): on a
	// fresh --path, record registers the account and orders nothing.
	res := ca.Run(t, "--accept-tos", "-d", e2etest.Domain(b, "register"), "record")
	if res.Code != 0 {
		t.Fatalf("record on a fresh --path: exit %d:\n%s", res.Code, res)
	}

	if _, err := os.Stat(ca.accountFile(t)); err != nil {
		t.Fatalf("no account stored after record (%v):\n%s", err, res)
	}

	if n := proxy.Count("/order-plz"); n != 0 {
		t.Fatalf("record created %d orders, want none:\n%s", n, res)
	}

	if n := proxy.Count("/sign-me-up"); n != 1 {
		t.Fatalf("record sent %d newAccount requests, want 1:\n%s", n, res)
	}

	return ca
}

// accountFile is the stored account.json (lego's layout: one server folder).
func (ca *draft02CA) accountFile(t *testing.T) string {
	t.Helper()

	matches, err := filepath.Glob(filepath.Join(ca.Path, "accounts", "*", ca.Email, "account.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("want one stored account.json, found %q (%v)", matches, err)
	}

	return matches[0]
}

func (ca *draft02CA) keyFile(t *testing.T) string {
	t.Helper()

	return filepath.Join(filepath.Dir(ca.accountFile(t)), "keys", ca.Email+".key")
}

// account reads the stored account URL and key.
func (ca *draft02CA) account(t *testing.T) (string, crypto.PrivateKey) {
	t.Helper()

	raw, err := os.ReadFile(ca.accountFile(t))
	if err != nil {
		t.Fatal(err)
	}

	var acct struct {
		Registration struct {
			URI string `json:"uri"`
		} `json:"registration"`
	}

	if err := json.Unmarshal(raw, &acct); err != nil || acct.Registration.URI == "" {
		t.Fatalf("account.json without registration URI (%v): %s", err, raw)
	}

	pemKey, err := os.ReadFile(ca.keyFile(t))
	if err != nil {
		t.Fatal(err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}

	return acct.Registration.URI, key
}

// rotateKey replaces the stored account key with a new one, as after a key
// rollover (lego v4 has no rollover call; for the records, what counts is
// that the client's key is no longer the one the records were hashed with).
func (ca *draft02CA) rotateKey(t *testing.T) crypto.PrivateKey {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(ca.keyFile(t), certcrypto.PEMEncode(key), 0o600); err != nil {
		t.Fatal(err)
	}

	return key
}

// hashedValue is the draft-02 record value for Pebble, computed
// independently of the code under test (see e2etest.HashedAccountURI).
func hashedValue(t *testing.T, key crypto.PrivateKey, d, accountURL string) string {
	t.Helper()

	return e2etest.PebbleIssuer + "; accounturi=" + e2etest.HashedAccountURI(t, key, d, accountURL)
}

// zoneLine is the expected zone-file line of a value under 255 octets.
func zoneLine(d, value string) string {
	return fmt.Sprintf("%s 3600 IN TXT %q", e2etest.RecordName(d), value)
}

// recordJSON is one object of record --json.
type recordJSON struct {
	Domain, Name, Value, Issuer, AccountURI, Draft, Form, Zone string
	TTL                                                        uint32
}

func decodeRecords(t *testing.T, res e2etest.Result) []recordJSON {
	t.Helper()

	if res.Code != 0 {
		t.Fatalf("record failed:\n%s", res)
	}

	var recs []recordJSON
	if err := json.Unmarshal([]byte(res.Stdout), &recs); err != nil {
		t.Fatalf("record --json: %v\n%s", err, res)
	}

	return recs
}

// checkJSON is one object of check --json.
type checkJSON struct {
	Domain, Name, Status, Value, Reason, Draft, Publish, Note string
	Records                                                   []struct {
		Value, Class, Draft, Form, Status, Serves string
	}
}

func decodeCheck(t *testing.T, res e2etest.Result) []checkJSON {
	t.Helper()

	var out []checkJSON
	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("check --json: %v\n%s", err, res)
	}

	return out
}

func TestRecordForAHundredDomainsAtADraft02CACreatesNoOrder(t *testing.T) {
	ca := newDraft02CA(t)
	url, key := ca.account(t)

	const n = 100

	var (
		domains []string
		want    []string
		args    []string
		file    strings.Builder
	)

	for i := range n {
		d := e2etest.Domain(ca.Bed, fmt.Sprintf("host%03d", i))
		domains = append(domains, d)
		want = append(want, zoneLine(d, hashedValue(t, key, d, url)))

		// Half on the command line, half in --domains-file.
		if i%2 == 0 {
			args = append(args, "-d", d)
		} else {
			fmt.Fprintf(&file, "%s # comment\n", d)
		}
	}

	domainsFile := filepath.Join(t.TempDir(), "domains.txt")
	if err := os.WriteFile(domainsFile, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	orders, authzs := ca.proxy.Count("/order-plz"), ca.proxy.Count("/authZ/")

	res := ca.Run(t, append(args, "--domains-file", domainsFile, "record")...)
	if res.Code != 0 {
		t.Fatalf("record failed:\n%s", res)
	}

	// Command-line domains come first, then the file's.
	var order []string
	for i := 0; i < n; i += 2 {
		order = append(order, want[i])
	}

	for i := 1; i < n; i += 2 {
		order = append(order, want[i])
	}

	if got := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n"); !slices.Equal(got, order) {
		t.Errorf("record printed %d lines, want the %d expected records; first got %q, first want %q", len(got), len(order), got[0], order[0])
	}

	if got := ca.proxy.Count("/order-plz") - orders; got != 0 {
		t.Errorf("record sent %d newOrder requests, want 0", got)
	}

	if got := ca.proxy.Count("/authZ/") - authzs; got != 0 {
		t.Errorf("record fetched %d authorizations, want 0", got)
	}

	t.Run("json names draft-02 and the exact form", func(t *testing.T) {
		recs := decodeRecords(t, ca.Run(t, "-d", domains[0], "-d", domains[1], "record", "--json"))
		if len(recs) != 2 {
			t.Fatalf("%d records, want 2", len(recs))
		}

		for i, r := range recs {
			v := hashedValue(t, key, domains[i], url)
			if r.Draft != "draft-02" || r.Form != "exact" || r.Value != v || r.Domain != domains[i] ||
				r.Name != e2etest.RecordName(domains[i]) || r.Issuer != e2etest.PebbleIssuer || "pebble.letsencrypt.org; accounturi="+r.AccountURI != v {
				t.Errorf("record %d = %+v, want draft-02 exact %q", i, r, v)
			}
		}
	})

	t.Run("any-domain prints the * form for every domain", func(t *testing.T) {
		v := hashedValue(t, key, "*", url)

		res := ca.Run(t, "--dns-persist.any-domain", "-d", domains[0], "-d", domains[1], "record")
		wantLines := []string{zoneLine(domains[0], v), zoneLine(domains[1], v)}

		if got := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n"); res.Code != 0 || !slices.Equal(got, wantLines) {
			t.Errorf("record --dns-persist.any-domain printed %q, want %q\n%s", got, wantLines, res)
		}

		recs := decodeRecords(t, ca.Run(t, "--dns-persist.any-domain", "-d", domains[0], "record", "--json"))
		if len(recs) != 1 || recs[0].Form != "any-domain" || recs[0].Value != v {
			t.Errorf("record --json = %+v, want the any-domain value %q", recs, v)
		}
	})

	if got := ca.proxy.Count("/order-plz") - orders; got != 0 {
		t.Errorf("record sent %d newOrder requests in all, want 0", got)
	}
}

func TestCheckSaysWhichDraftEachRecordServes(t *testing.T) {
	ca := newDraft02CA(t)
	url, key := ca.account(t)
	d := e2etest.Domain(ca.Bed, "migrating")
	name := e2etest.RecordName(d)

	draft01 := e2etest.PebbleIssuer + "; accounturi=" + url
	draft02 := hashedValue(t, key, d, url)

	for _, v := range []string{draft01, draft02} {
		if err := ca.Bed.AddTXT(context.Background(), name, v); err != nil {
			t.Fatal(err)
		}
	}

	res := ca.Run(t, "-d", d, "check", "--json")
	if res.Code != 0 {
		t.Fatalf("check: exit %d, want 0:\n%s", res.Code, res)
	}

	results := decodeCheck(t, res)
	if len(results) != 1 || results[0].Status != "ok" || results[0].Draft != "draft-02" ||
		results[0].Value != draft02 {
		t.Fatalf("check --json = %+v, want ok by the draft-02 record at a draft-02 CA", results)
	}

	serves := map[string]string{} // value -> class/draft/form
	for _, r := range results[0].Records {
		serves[r.Value] = r.Class + " " + r.Draft + " " + r.Form
	}

	want := map[string]string{
		draft01: "other-draft draft-01 account-url",
		draft02: "this-ca draft-02 exact",
	}

	if len(serves) != 2 || serves[draft01] != want[draft01] || serves[draft02] != want[draft02] {
		t.Errorf("records = %q, want %q", serves, want)
	}

	res = ca.Run(t, "-d", d, "check")
	if res.Code != 0 || !strings.Contains(res.Stdout, "speaks draft-02") || !strings.Contains(res.Stdout, "until the account is deactivated") ||
		!strings.Contains(res.Stdout, "serves draft-00 and draft-01 CAs") {
		t.Errorf("check table lacks the draft, the key rule or what each record serves:\n%s", res)
	}

	t.Run("the draft-01 record alone does not serve this CA", func(t *testing.T) {
		if err := ca.Bed.DeleteTXT(context.Background(), name, draft02); err != nil {
			t.Fatal(err)
		}

		res := ca.Run(t, "-d", d, "check", "--json")
		results := decodeCheck(t, res)

		if res.Code != 1 || len(results) != 1 || results[0].Status != "wrong-account" ||
			results[0].Publish != zoneLine(d, draft02) || !strings.Contains(results[0].Reason, "draft-01") {
			t.Errorf("exit %d, %+v: want exit 1, wrong-account naming draft-01 and the draft-02 record to publish", res.Code, results)
		}
	})
}

// Without a key history under --path (a key replaced by hand, not by
// `account rollover`), a value hashed with the old key cannot be told from
// another account's: check says so and gives the record to publish.
func TestCheckWithoutKeyHistoryReportsAnOldKeysValueAsAnotherAccounts(t *testing.T) {
	ca := newDraft02CA(t)
	d := e2etest.Domain(ca.Bed, "rotated")
	name := e2etest.RecordName(d)

	// Publish what 'record' prints for the current key.
	recs := decodeRecords(t, ca.Run(t, "-d", d, "record", "--json"))
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}

	old := recs[0].Value
	if err := ca.Bed.AddTXT(context.Background(), name, old); err != nil {
		t.Fatal(err)
	}

	if res := ca.Run(t, "-d", d, "check"); res.Code != 0 {
		t.Fatalf("check before the key change: exit %d, want 0:\n%s", res.Code, res)
	}

	newKey := ca.rotateKey(t)
	url, _ := ca.account(t)
	fresh := hashedValue(t, newKey, d, url)

	res := ca.Run(t, "-d", d, "check", "--json")
	results := decodeCheck(t, res)

	if res.Code != 1 || len(results) != 1 {
		t.Fatalf("exit %d, %d results; want exit 1 and one result:\n%s", res.Code, len(results), res)
	}

	// The CA does not know the replaced key, so the pre-publication
	// account check fails: no record is offered for it (draft-02 §9.4).
	r := results[0]
	if r.Status != "wrong-account" || r.Value != old || r.Publish != "" || !strings.Contains(r.Reason, "not valid at the CA") ||
		len(r.Records) != 1 || r.Records[0].Class != "other-account" || !strings.Contains(r.Records[0].Serves, "no record of") {
		t.Errorf("check --json = %+v\nwant wrong-account naming %q, the unknown-key note and no record to publish for a key the CA does not know", r, old)
	}

	res = ca.Run(t, "-d", d, "check")
	if res.Code != 1 || !strings.Contains(res.Stdout, "wrong-account") || strings.Contains(res.Stdout, "publish: "+e2etest.RecordName(d)) {
		t.Errorf("check table: want wrong-account and no record to publish, exit 1:\n%s", res)
	}

	t.Run("republishing fixes it while the old value stays listed", func(t *testing.T) {
		if err := ca.Bed.AddTXT(context.Background(), name, fresh); err != nil {
			t.Fatal(err)
		}

		res := ca.Run(t, "-d", d, "check", "--json")
		results := decodeCheck(t, res)

		if res.Code != 0 || len(results) != 1 || results[0].Status != "ok" || len(results[0].Records) != 2 {
			t.Fatalf("exit %d, %+v: want ok with two records", res.Code, results)
		}

		for _, rec := range results[0].Records {
			wantClass := map[string]string{old: "other-account", fresh: "this-ca"}[rec.Value]
			if rec.Class != wantClass {
				t.Errorf("record %q is %s, want %s", rec.Value, rec.Class, wantClass)
			}
		}
	})
}

// draft-02 §4.5, §9.4: before a value goes to a provider or a printed
// line, the account must be valid at the CA.
func TestDeactivatedAccountGetsNoRecordPublishedOrPrinted(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	// Once set, the proxy answers every POST-as-GET of an account with
	// status "deactivated" (on top of the draft-02 shape).
	var deactivated atomic.Bool

	h.Server = e2etest.Proxy(t, b, func(r *http.Request, body map[string]any) {
		e2etest.Draft02(r, body)

		if deactivated.Load() && strings.HasPrefix(r.URL.Path, "/my-account/") {
			body["status"] = "deactivated"
		}
	}).URL
	d := e2etest.Domain(b, "deact")

	if res := h.Run(t, "--accept-tos", "-d", d, "record"); res.Code != 0 {
		t.Fatalf("record with a valid account: exit %d:\n%s", res.Code, res)
	}

	deactivated.Store(true)

	before := e2etest.SOASerial(t, b)

	res := h.Run(t, "-d", d, "record")
	if res.Code != 1 || strings.Contains(res.Stdout, "_validation-persist") || !strings.Contains(res.Stderr, `status "deactivated"`) {
		t.Errorf("record for a deactivated account: want exit 1, no record printed, the status named:\n%s", res)
	}

	res = h.Run(t, "--dns-persist", "rfc2136", "-d", d, "run")
	if res.Code != 1 || !strings.Contains(res.Stderr, `status "deactivated"`) || !strings.Contains(res.Stderr, "nothing was published") {
		t.Errorf("run for a deactivated account: want exit 1 naming the status and that nothing was published:\n%s", res)
	}

	if after := e2etest.SOASerial(t, b); after != before {
		t.Errorf("the zone changed for a deactivated account (serial %d -> %d)", before, after)
	}
}
