package faults

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/e2e/bed"
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

// newClient returns a lego client for a fresh key at dirURL, not yet
// registered.
func newClient(t *testing.T, dirURL string, hc *http.Client) (*lego.Client, *lego.Config, *user) {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	u := &user{key: key}
	cfg := lego.NewConfig(u)
	cfg.CADirURL = dirURL
	cfg.HTTPClient = hc
	cfg.Certificate.Timeout = 30 * time.Second

	client, err := lego.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return client, cfg, u
}

// account registers a fresh ACME account at dirURL (Pebble's directory or a
// proxy's) and returns a lego client and config for it.
func account(t *testing.T, b *bed.Bed, dirURL string) (*lego.Client, *lego.Config) {
	t.Helper()

	client, cfg, u := newClient(t, dirURL, b.HTTPClient())

	reg, err := client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	if err != nil {
		t.Fatal(err)
	}

	u.reg = reg

	return client, cfg
}

// countingPublisher counts Publish calls and forwards them (to nothing
// when next is nil: a publisher that claims success without writing).
type countingPublisher struct {
	next  persist.Publisher
	calls atomic.Int32

	mu     sync.Mutex
	values []string
}

func (c *countingPublisher) Publish(ctx context.Context, fqdn, value string) error {
	c.calls.Add(1)

	c.mu.Lock()
	c.values = append(c.values, value)
	c.mu.Unlock()

	if c.next == nil {
		return nil
	}

	return c.next.Publish(ctx, fqdn, value)
}

func (c *countingPublisher) published() []string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return append([]string(nil), c.values...)
}

func rfc2136Publisher(t *testing.T, b *bed.Bed, key, secret string) persist.Publisher {
	t.Helper()

	cfg := rfc2136.NewDefaultConfig()
	cfg.Nameserver = b.DNSAddr
	cfg.TSIGKey = key
	cfg.TSIGSecret = secret
	cfg.TSIGAlgorithm = b.TSIGAlgorithm
	cfg.DNSTimeout = 5 * time.Second

	p, err := rfc2136.NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return p
}

func publisher(t *testing.T, b *bed.Bed) *countingPublisher {
	t.Helper()

	return &countingPublisher{next: rfc2136Publisher(t, b, b.TSIGKey, b.TSIGSecret)}
}

// loopback are the options every test needs: resolver is the only DNS
// server asked (the bed's BIND or a front for it), and the
// authoritative-NS lookup (port 53) is off.
func loopback(resolver string, extra ...persist.Option) []persist.Option {
	return append([]persist.Option{
		persist.WithResolvers(resolver),
		persist.WithAuthoritativeCheck(false),
		persist.WithPropagationTimeout(20*time.Second, 25*time.Millisecond),
		persist.WithValidationTimeout(30 * time.Second),
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

func addTXT(t *testing.T, b *bed.Bed, name, value string) {
	t.Helper()

	if err := b.AddTXT(context.Background(), name, value); err != nil {
		t.Fatalf("seeding %s %q: %v", name, value, err)
	}
}

func obtain(client *lego.Client, domains ...string) (*certificate.Resource, error) {
	return client.Certificate.Obtain(certificate.ObtainRequest{Domains: domains, Bundle: true})
}

// fqdn is label in the bed's zone, without trailing dot.
func fqdn(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

func recordName(domain string) string {
	return "_validation-persist." + domain + "."
}

// ourValue is the record the solver writes for this account at Pebble.
func ourValue(b *bed.Bed, cfg *lego.Config) string {
	return b.IssuerDomains[0] + "; accounturi=" + cfg.User.GetRegistration().URI
}

// wantDomainError checks that err is one error about domain whose text
// carries every cause fragment.
func wantDomainError(t *testing.T, err error, domain string, causes ...string) {
	t.Helper()

	if err == nil {
		t.Fatalf("no error; want one about %s (%q)", domain, causes)
	}

	msg := err.Error()

	var de *persist.DomainError
	if errors.As(err, &de) && de.Domain != domain {
		t.Errorf("error is about %q, want %q: %v", de.Domain, domain, err)
	}

	if !strings.Contains(msg, domain) {
		t.Errorf("error does not name the domain %s: %v", domain, err)
	}

	for _, c := range causes {
		if !strings.Contains(msg, c) {
			t.Errorf("error lacks %q: %v", c, err)
		}
	}

	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && len(joined.Unwrap()) != 1 {
		t.Errorf("%d errors joined; want one: %v", len(joined.Unwrap()), err)
	}
}

// wantCause checks that err carries every cause fragment.
func wantCause(t *testing.T, err error, causes ...string) {
	t.Helper()

	if err == nil {
		t.Fatalf("no error; want one with %q", causes)
	}

	for _, c := range causes {
		if !strings.Contains(err.Error(), c) {
			t.Errorf("error lacks %q: %v", c, err)
		}
	}
}
