// Package e2e holds end-to-end tests of the dns-persist-01 solver against
// real servers: Pebble (Let's Encrypt's test CA) and BIND 9, both on
// loopback, started by the e2e/bed package.
package e2e

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/rfc2136"
)

type user struct {
	key crypto.PrivateKey
	reg *registration.Resource
}

func (u *user) GetEmail() string                        { return "" }
func (u *user) GetRegistration() *registration.Resource { return u.reg }
func (u *user) GetPrivateKey() crypto.PrivateKey        { return u.key }

// account registers a fresh ACME account at dirURL and returns a lego
// client and config for it.
func account(t *testing.T, b *bed.Bed, dirURL string) (*lego.Client, *lego.Config) {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	u := &user{key: key}
	cfg := lego.NewConfig(u)
	cfg.CADirURL = dirURL
	cfg.HTTPClient = b.HTTPClient()
	cfg.Certificate.Timeout = 30 * time.Second

	client, err := lego.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}

	u.reg, err = client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	if err != nil {
		t.Fatal(err)
	}

	return client, cfg
}

// countingPublisher counts Publish calls and forwards them.
type countingPublisher struct {
	next  persist.Publisher
	calls atomic.Int32
}

func (c *countingPublisher) Publish(ctx context.Context, fqdn, value string) error {
	c.calls.Add(1)
	return c.next.Publish(ctx, fqdn, value)
}

func publisher(t *testing.T, b *bed.Bed) *countingPublisher {
	t.Helper()

	cfg := rfc2136.NewDefaultConfig()
	cfg.Nameserver = b.DNSAddr
	cfg.TSIGKey = b.TSIGKey
	cfg.TSIGSecret = b.TSIGSecret
	cfg.TSIGAlgorithm = b.TSIGAlgorithm

	p, err := rfc2136.NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return &countingPublisher{next: p}
}

// loopback are the options every test needs: the bed's BIND is the only
// resolver, and the authoritative-NS lookup (port 53) is off.
func loopback(b *bed.Bed, extra ...persist.Option) []persist.Option {
	return append([]persist.Option{
		persist.WithResolvers(b.DNSAddr),
		persist.WithAuthoritativeCheck(false),
		persist.WithPropagationTimeout(30*time.Second, 50*time.Millisecond),
	}, extra...)
}

func serial(t *testing.T, b *bed.Bed) uint32 {
	t.Helper()

	s, err := b.SOASerial(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	return s
}

func txt(t *testing.T, b *bed.Bed, name string) []string {
	t.Helper()

	v, err := b.TXT(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}

	return v
}

func obtain(client *lego.Client, domains ...string) (*certificate.Resource, error) {
	return client.Certificate.Obtain(certificate.ObtainRequest{Domains: domains, Bundle: true})
}

func name(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

func TestFirstObtainPublishesOnceAndRenewalWritesNothing(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := name(b, "first")
	before := serial(t, b)

	res, err := obtain(client, domain)
	if err != nil {
		t.Fatal(err)
	}

	if len(res.Certificate) == 0 {
		t.Fatal("no certificate")
	}

	if got := serial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d, want exactly one update", before, got)
	}

	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI
	if got := txt(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}

	// A fresh order for the same name: the record is found, nothing is
	// written, and the only queries are ours (one) and the CA's.
	queriesBefore, err := b.QueryCount()
	if err != nil {
		t.Fatal(err)
	}

	if _, err := obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if got := serial(t, b); got != before+1 {
		t.Errorf("second obtain changed the SOA serial to %d", got)
	}

	if n := pub.calls.Load(); n != 1 {
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
	client, cfg := account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := name(b, "wild")
	before := serial(t, b)

	if _, err := obtain(client, "*."+domain, domain); err != nil {
		t.Fatal(err)
	}

	if got := serial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d, want exactly one update", before, got)
	}

	got := txt(t, b, "_validation-persist."+domain+".")
	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI + "; policy=wildcard"

	if !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}
}

func TestOthersRecordsStayAndAreNotMistakenForOurs(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := name(b, "shared")
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

	before := serial(t, b)

	if _, err := obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	if got := serial(t, b); got != before+1 {
		t.Errorf("SOA serial %d -> %d: foreign, other-account or expired records were taken as ours", before, got)
	}

	got := txt(t, b, rr)
	for _, v := range []string{otherCA, otherAccount, expired, "pebble.letsencrypt.org; accounturi=" + ours} {
		if !slices.Contains(got, v) {
			t.Errorf("record %q missing after the run; have %q", v, got)
		}
	}
}

func TestReadOnlyModeReturnsTheRecordToPublish(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := account(t, b, b.DirectoryURL)

	if err := persist.Enable(client, cfg, nil, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := name(b, "readonly")
	before := serial(t, b)

	_, err := obtain(client, domain)
	if !errors.Is(err, persist.ErrRecordMissing) {
		t.Fatalf("want ErrRecordMissing, got %v", err)
	}

	line := record.ZoneLine("_validation-persist."+domain+".", 3600,
		"pebble.letsencrypt.org; accounturi="+cfg.User.GetRegistration().URI)
	if !strings.Contains(err.Error(), line) {
		t.Errorf("error does not carry the zone-file line %q:\n%v", line, err)
	}

	if got := serial(t, b); got != before {
		t.Errorf("read-only run changed the zone (serial %d -> %d)", before, got)
	}

	// Published by hand, the same run succeeds with no write of its own.
	if err := b.AddTXT(context.Background(), "_validation-persist."+domain+".",
		"pebble.letsencrypt.org; accounturi="+cfg.User.GetRegistration().URI); err != nil {
		t.Fatal(err)
	}

	if _, err := obtain(client, domain); err != nil {
		t.Fatal(err)
	}
}

func TestDraft00CAWithoutAccountURIStillIssues(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy, err := b.NewProxy(context.Background(), bed.DropChallengeField("accounturi"))
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = proxy.Close() })

	client, cfg := account(t, b, proxy.URL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := name(b, "draft00")

	if _, err := obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	want := "pebble.letsencrypt.org; accounturi=" + cfg.User.GetRegistration().URI
	if got := txt(t, b, "_validation-persist."+domain+"."); !slices.Equal(got, []string{want}) {
		t.Errorf("records %q, want [%q]", got, want)
	}
}

func TestForeignChallengeAccountURIIsRefusedBeforeAnyWrite(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy, err := b.NewProxy(context.Background(), func(_ *http.Request, body map[string]any) {
		bed.EachChallenge(body, func(ch map[string]any) {
			if _, ok := ch["accounturi"]; ok {
				ch["accounturi"] = "https://attacker.example/acct/1"
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = proxy.Close() })

	client, cfg := account(t, b, proxy.URL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	before := serial(t, b)

	_, err = obtain(client, name(b, "foreign"))
	if err == nil || !strings.Contains(err.Error(), "https://attacker.example/acct/1") {
		t.Fatalf("want a refusal naming the foreign accounturi, got %v", err)
	}

	if pub.calls.Load() != 0 || serial(t, b) != before {
		t.Errorf("something was written: %d publishes, serial %d -> %d", pub.calls.Load(), before, serial(t, b))
	}
}

func TestNameWithoutDNSPersistNamesOfferedChallenges(t *testing.T) {
	b := bed.New(t, bed.Options{})

	proxy, err := b.NewProxy(context.Background(), func(_ *http.Request, body map[string]any) {
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
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = proxy.Close() })

	client, cfg := account(t, b, proxy.URL)

	if err := persist.Enable(client, cfg, publisher(t, b), loopback(b)...); err != nil {
		t.Fatal(err)
	}

	_, err = obtain(client, name(b, "nopersist"))
	if err == nil || !strings.Contains(err.Error(), "http-01") || !strings.Contains(err.Error(), "dns-01") {
		t.Fatalf("want an error naming the offered challenges, got %v", err)
	}
}

func TestTenNameOrderPublishesOneRecordPerName(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	var domains []string
	for _, l := range []string{"n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"} {
		domains = append(domains, name(b, l))
	}

	if _, err := obtain(client, domains...); err != nil {
		t.Fatal(err)
	}

	if n := pub.calls.Load(); n != 10 {
		t.Errorf("Publish called %d times, want 10", n)
	}

	if _, err := obtain(client, domains...); err != nil {
		t.Fatal(err)
	}

	if n := pub.calls.Load(); n != 10 {
		t.Errorf("second order wrote again: %d publishes", n)
	}
}

func TestCAProblemDocumentReachesTheCaller(t *testing.T) {
	b := bed.New(t, bed.Options{})

	// The proxy makes the challenge name another account; with the opt-in
	// the client publishes a record for it, and Pebble (which checks the real
	// account) rejects the validation with a problem document.
	proxy, err := b.NewProxy(context.Background(), func(_ *http.Request, body map[string]any) {
		bed.EachChallenge(body, func(ch map[string]any) {
			if _, ok := ch["accounturi"]; ok {
				ch["accounturi"] = "https://elsewhere.example/acct/7"
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = proxy.Close() })

	client, cfg := account(t, b, proxy.URL)

	if err := persist.Enable(client, cfg, publisher(t, b), loopback(b, persist.WithForeignAccountURI())...); err != nil {
		t.Fatal(err)
	}

	_, err = obtain(client, name(b, "rejected"))

	var caErr *persist.CAError
	if !errors.As(err, &caErr) {
		t.Fatalf("want a CAError, got %v", err)
	}

	if !strings.HasSuffix(caErr.Problem.Type, ":unauthorized") || !strings.Contains(caErr.Problem.Detail, "accounturi mismatch") {
		t.Errorf("problem document not surfaced: %+v", caErr.Problem)
	}
}
