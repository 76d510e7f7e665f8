package faults

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// dnsTimeout bounds each DNS exchange of the publishers here.
const dnsTimeout = 5 * time.Second

// publisher is the counting rfc2136 publisher for the bed's BIND, its
// updates bounded by dnsTimeout.
func publisher(t *testing.T, b *bed.Bed) *e2etest.CountingPublisher {
	t.Helper()

	return e2etest.Publisher(t, b, e2etest.WithDNSTimeout(dnsTimeout))
}

// loopback are the options every test needs: resolver is the only DNS
// server asked (the bed's BIND or a front for it), the authoritative-NS
// lookup (port 53) is off, a new record is polled for every 25ms up to 20s,
// and the CA's validation is awaited up to 30s.
func loopback(resolver string, extra ...persist.Option) []persist.Option {
	return e2etest.Loopback(resolver, 20*time.Second, 25*time.Millisecond,
		append([]persist.Option{persist.WithValidationTimeout(30 * time.Second)}, extra...)...)
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
