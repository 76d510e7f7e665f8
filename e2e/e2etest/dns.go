package e2etest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// Domain is label in the bed's zone, without the trailing dot.
func Domain(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

// RecordName is the fully qualified name of domain's dns-persist-01 record:
// _validation-persist.<domain>., where a wildcard's record is its base
// domain's.
func RecordName(domain string) string {
	return "_validation-persist." + strings.TrimPrefix(domain, "*.") + "."
}

// Loopback returns the solver options for a test against the bed:
// resolver (the bed's BIND or a front for it) is the only DNS server asked,
// the authoritative-NS lookup (port 53, which the bed does not use) is off,
// and a new record is polled for every interval up to timeout. extra come
// last, so they win over these.
func Loopback(resolver string, timeout, interval time.Duration, extra ...persist.Option) []persist.Option {
	return append([]persist.Option{
		persist.WithResolvers(resolver),
		persist.WithAuthoritativeCheck(false),
		persist.WithPropagationTimeout(timeout, interval),
	}, extra...)
}

// SOASerial is the serial of the bed's zone, failing tb on error.
func SOASerial(tb testing.TB, b *bed.Bed) uint32 {
	tb.Helper()

	s, err := b.SOASerial(context.Background())
	if err != nil {
		tb.Fatal(err)
	}

	return s
}

// TXT is the TXT values at name in the bed's zone, failing tb on error.
func TXT(tb testing.TB, b *bed.Bed, name string) []string {
	tb.Helper()

	v, err := b.TXT(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}

	return v
}

// AddTXT seeds value at name in the bed's zone, failing tb on error.
func AddTXT(tb testing.TB, b *bed.Bed, name, value string) {
	tb.Helper()

	if err := b.AddTXT(context.Background(), name, value); err != nil {
		tb.Fatalf("seeding %s %q: %v", name, value, err)
	}
}

// UpdateCount is the number of UPDATE messages for the zone the bed's BIND
// has logged, accepted or refused (the bed's own AddTXT and DeleteTXT not
// included), failing tb on error.
func UpdateCount(tb testing.TB, b *bed.Bed) int {
	tb.Helper()

	n, err := b.UpdateCount()
	if err != nil {
		tb.Fatal(err)
	}

	return n
}
