package e2e

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// delegated is the zone that _validation-persist names of the bed's zone
// are CNAMEs into (change control keeps the main zone read-only).
const delegated = "validations.test."

func cnameBed(t *testing.T, label string) *bed.Bed {
	t.Helper()

	return bed.New(t, bed.Options{
		ExtraZones:       []string{delegated},
		ExtraZoneRecords: []string{"_validation-persist." + label + " IN CNAME " + label + "." + delegated},
	})
}

// TestCNAMEDelegatedNameIsPublishedAtItsTarget: the first run writes one
// TXT in the delegated zone, none in the main zone, leaves the CNAME and
// issues; the renewal writes nothing.
func TestCNAMEDelegatedNameIsPublishedAtItsTarget(t *testing.T) {
	b := cnameBed(t, "x")
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "x")
	target := "x." + delegated
	ours := b.IssuerDomains[0] + "; accounturi=" + cfg.User.GetRegistration().URI

	mainBefore, delegBefore := e2etest.SOASerial(t, b), soaOf(t, b, delegated)

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatalf("first run through the CNAME: %v", err)
	}

	if got := e2etest.TXT(t, b, target); !slices.Equal(got, []string{ours}) {
		t.Errorf("TXT at the CNAME target %s = %q, want [%q]", target, got, ours)
	}

	if after := e2etest.SOASerial(t, b); after != mainBefore {
		t.Errorf("the main zone changed (serial %d -> %d): the CNAME's zone must stay untouched", mainBefore, after)
	}

	if after := soaOf(t, b, delegated); after != delegBefore+1 {
		t.Errorf("delegated zone serial %d -> %d, want exactly one write", delegBefore, after)
	}

	t.Run("renewal writes nothing", func(t *testing.T) {
		before := soaOf(t, b, delegated)

		if _, err := e2etest.Obtain(client, domain); err != nil {
			t.Fatal(err)
		}

		if after := soaOf(t, b, delegated); after != before || pub.Calls() != 1 {
			t.Errorf("renewal: delegated serial %d -> %d, %d publishes in all; want no write", before, after, pub.Calls())
		}
	})
}

// With CNAME support off (lego's LEGO_DISABLE_CNAME_SUPPORT=true), the
// record goes to the CNAME's owner, which an RFC 2136 server refuses: the
// run fails saying so, and nothing claims the record was published.
func TestCNAMESupportOffFailsInsteadOfPretendingToPublish(t *testing.T) {
	b := cnameBed(t, "y")
	t.Setenv("LEGO_DISABLE_CNAME_SUPPORT", "true")

	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	before := e2etest.SOASerial(t, b)

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "y"))

	var de *persist.DomainError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "CNAME") || strings.Contains(err.Error(), "it was published") {
		t.Fatalf("want a per-name error naming the CNAME, not 'published': %v", err)
	}

	if after := e2etest.SOASerial(t, b); after != before {
		t.Errorf("the main zone changed (serial %d -> %d)", before, after)
	}
}

func soaOf(t *testing.T, b *bed.Bed, zone string) uint32 {
	t.Helper()

	n, err := b.SOASerialOf(t.Context(), zone)
	if err != nil {
		t.Fatal(err)
	}

	return n
}
