// Package e2e holds end-to-end tests of the dns-persist-01 solver against
// real servers: Pebble (Let's Encrypt's test CA) and BIND 9, both on
// loopback, started by the e2e/bed package.
package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/internal/testseam"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// loopback are the options every test here needs: the bed's BIND is the
// only resolver, the authoritative-NS lookup (port 53) is off, and a new
// record is polled for every 50ms up to 30s.
func loopback(b *bed.Bed, extra ...persist.Option) []persist.Option {
	return e2etest.Loopback(b.DNSAddr, 30*time.Second, 50*time.Millisecond, extra...)
}

func TestFirstObtainPublishesOnceAndRenewalWritesNothing(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "first")
	before := e2etest.SOASerial(t, b)

	res, err := e2etest.Obtain(client, domain)
	if err != nil {
		t.Fatal(err)
	}

	if len(res.Certificate) == 0 {
		t.Fatal("no certificate")
	}

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d, want exactly one update", before, got)
	}

	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI
	if got := e2etest.TXT(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}

	// A fresh order for the same name: the record is found, nothing is
	// written, and the only queries are ours (one) and the CA's.
	queriesBefore, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Errorf("second obtain changed the SOA serial to %d", got)
	}

	if n := pub.Calls(); n != 1 {
		t.Errorf("Publish called %d times over two orders, want 1", n)
	}

	queriesAfter, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	// One check by us and three by Pebble's VA (it validates from three
	// perspectives); a propagation poll would add more.
	if q := queriesAfter - queriesBefore; q > 4 {
		t.Errorf("second obtain made %d DNS queries, want at most 4 (no propagation polling)", q)
	}
}

func TestWildcardOrderPublishesOneWildcardRecord(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "wild")
	before := e2etest.SOASerial(t, b)

	if _, err := e2etest.Obtain(client, "*."+domain, domain); err != nil {
		t.Fatal(err)
	}

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d, want exactly one update", before, got)
	}

	got := e2etest.TXT(t, b, "_validation-persist."+domain+".")
	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI + "; policy=wildcard"

	if !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}
}

func TestOthersRecordsStayAndAreNotMistakenForOurs(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "shared")
	rr := "_validation-persist." + domain + "."
	ours := cfg.User.GetRegistration().URI
	otherCA := "ca.other.example; accounturi=" + ours
	otherAccount := "pebble.letsencrypt.org; accounturi=" + ours + "-not-mine"
	expired := "pebble.letsencrypt.org; accounturi=" + ours + "; persistUntil=1000000000"

	for _, v := range []string{otherCA, otherAccount, expired} {
		if err := b.AddTXT(context.Background(), rr, v); err != nil {
			t.Fatal(err)
		}
	}

	before := e2etest.SOASerial(t, b)

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if got := e2etest.SOASerial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d: foreign, other-account or expired records were taken as ours", before, got)
	}

	got := e2etest.TXT(t, b, rr)
	for _, v := range []string{otherCA, otherAccount, expired, "pebble.letsencrypt.org; accounturi=" + ours} {
		if !slices.Contains(got, v) {
			t.Errorf("record %q missing after the run; have %q", v, got)
		}
	}
}

func TestReadOnlyModeReturnsTheRecordToPublish(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)

	if err := persist.Enable(client, cfg, nil, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "readonly")
	before := e2etest.SOASerial(t, b)

	_, err := e2etest.Obtain(client, domain)
	if !errors.Is(err, persist.ErrRecordMissing) {
		t.Fatalf("want ErrRecordMissing, got %v", err)
	}

	line := record.ZoneLine("_validation-persist."+domain+".", 3600,
		"pebble.letsencrypt.org; accounturi="+cfg.User.GetRegistration().URI)
	if !strings.Contains(err.Error(), line) {
		t.Errorf("error does not carry the zone-file line %q:\n%v", line, err)
	}

	if got := e2etest.SOASerial(t, b); got != before {
		t.Errorf("read-only run changed the zone (serial %d -> %d)", before, got)
	}

	// Published by hand, the same run succeeds with no write of its own.
	if err := b.AddTXT(context.Background(), "_validation-persist."+domain+".",
		"pebble.letsencrypt.org; accounturi="+cfg.User.GetRegistration().URI); err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}
}

func TestDraft00CAWithoutAccountURIStillIssues(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, bed.DropChallengeField("accounturi"))

	client, cfg := e2etest.Account(t, b, proxy.URL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "draft00")

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI
	if got := e2etest.TXT(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}
}

func TestForeignChallengeAccountURIIsRefusedBeforeAnyWrite(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, func(_ *http.Request, body map[string]any) {
		bed.EachChallenge(body, func(ch map[string]any) {
			if _, ok := ch["accounturi"]; ok {
				ch["accounturi"] = "https://attacker.example/acct/1"
			}
		})
	})

	client, cfg := e2etest.Account(t, b, proxy.URL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	before := e2etest.SOASerial(t, b)

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "foreign"))
	if err == nil || !strings.Contains(err.Error(), "https://attacker.example/acct/1") {
		t.Fatalf("want a refusal naming the foreign accounturi, got %v", err)
	}

	if pub.Calls() != 0 || e2etest.SOASerial(t, b) != before {
		t.Errorf("something was written: %d publishes, serial %d -> %d", pub.Calls(), before, e2etest.SOASerial(t, b))
	}
}

func TestNameWithoutDNSPersistNamesOfferedChallenges(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy := e2etest.Proxy(t, b, func(_ *http.Request, body map[string]any) {
		chs, ok := body["challenges"].([]any)
		if !ok {
			return
		}

		kept := chs[:0]
		for _, c := range chs {
			if m, ok := c.(map[string]any); ok && m["type"] != "dns-persist-01" {
				kept = append(kept, c)
			}
		}

		body["challenges"] = kept
	})

	client, cfg := e2etest.Account(t, b, proxy.URL)

	if err := persist.Enable(client, cfg, e2etest.Publisher(t, b), loopback(b)...); err != nil {
		t.Fatal(err)
	}

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "nopersist"))
	if err == nil || !strings.Contains(err.Error(), "http-01") || !strings.Contains(err.Error(), "dns-01") {
		t.Fatalf("want an error naming the offered challenges, got %v", err)
	}
}

func TestTenNameOrderPublishesOneRecordPerName(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	var domains []string
	for _, l := range []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"} {
		domains = append(domains, e2etest.Domain(b, l))
	}

	if _, err := e2etest.Obtain(client, domains...); err != nil {
		t.Fatal(err)
	}

	if n := pub.Calls(); n != 10 {
		t.Errorf("Publish called %d times, want 10", n)
	}

	if _, err := e2etest.Obtain(client, domains...); err != nil {
		t.Fatal(err)
	}

	if n := pub.Calls(); n != 10 {
		t.Errorf("second order wrote again: %d publishes", n)
	}
}

func TestCAProblemDocumentReachesTheCaller(t *testing.T) {
	b := bed.New(t, bed.Options{})

	// The proxy makes the challenge name another account; with the opt-in
	// the client publishes a record for it, and Pebble (which checks the real
	// account) rejects the validation with a problem document.
	proxy := e2etest.Proxy(t, b, func(_ *http.Request, body map[string]any) {
		bed.EachChallenge(body, func(ch map[string]any) {
			if _, ok := ch["accounturi"]; ok {
				ch["accounturi"] = "https://elsewhere.example/acct/7"
			}
		})
	})

	client, cfg := e2etest.Account(t, b, proxy.URL)

	if err := persist.Enable(client, cfg, e2etest.Publisher(t, b), loopback(b, persist.WithForeignAccountURI())...); err != nil {
		t.Fatal(err)
	}

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "rejected"))

	var caErr *persist.CAError
	if !errors.As(err, &caErr) {
		t.Fatalf("want a CAError, got %v", err)
	}

	if !strings.HasSuffix(caErr.Problem.Type, ":unauthorized") || !strings.Contains(caErr.Problem.Detail, "accounturi mismatch") {
		t.Errorf("problem document not surfaced: %+v", caErr.Problem)
	}
}

func TestCancelledContextAbandonsTheOrderBeforeAnyWrite(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if err := persist.Enable(client, cfg, pub, loopback(b, persist.WithContext(ctx))...); err != nil {
		t.Fatal(err)
	}

	before := e2etest.SOASerial(t, b)

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "cancelled"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}

	if pub.Calls() != 0 || e2etest.SOASerial(t, b) != before {
		t.Errorf("a cancelled run wrote to DNS: %d publishes", pub.Calls())
	}
}

// TestAuthoritativeCheckAsksTheZonesNameservers runs the default check mode:
// the zone (persist.test) is found through the resolver, its NS ns1 resolved
// to 127.0.0.1, and the record checked there directly (BIND listens on the
// bed's port instead of 53, hence testseam.WithNameserverPort).
func TestAuthoritativeCheckAsksTheZonesNameservers(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	_, port, err := net.SplitHostPort(b.DNSAddr)
	if err != nil {
		t.Fatal(err)
	}

	err = persist.Enable(client, cfg, pub,
		persist.WithResolvers(b.DNSAddr),
		persist.WithContext(testseam.WithNameserverPort(t.Context(), port)),
		persist.WithPropagationTimeout(30*time.Second, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "authoritative")
	before := e2etest.SOASerial(t, b)

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if got := e2etest.SOASerial(t, b); got != before+1 || pub.Calls() != 1 {
		t.Errorf("two orders: serial %d -> %d, %d publishes; want one write", before, got, pub.Calls())
	}
}

// TestRecordExpiringBeforeValidationCanFinishIsReplaced: a record still
// valid now, whose persistUntil passes within the validation window, is
// treated as missing (pre-flight): one new record is written beside it.
func TestRecordExpiringBeforeValidationCanFinishIsReplaced(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b, persist.WithValidationTimeout(time.Minute))...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "expiring")
	rr := "_validation-persist." + domain + "."
	soon := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI +
		"; persistUntil=" + strconv.FormatInt(time.Now().Add(20*time.Second).Unix(), 10)

	if err := b.AddTXT(context.Background(), rr, soon); err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	got := e2etest.TXT(t, b, rr)
	if pub.Calls() != 1 || len(got) != 2 || !slices.Contains(got, soon) {
		t.Errorf("want the expiring record kept and one new record published; %d publishes, records %q", pub.Calls(), got)
	}
}
