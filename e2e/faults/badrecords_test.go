package faults

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// TestUnusableRecordsGetOneCorrectRecordBesideThem seeds records the client
// cannot use (malformed, expired, another account's, another CA's) and
// checks that the client publishes its own correct record exactly once,
// leaves every seeded record in place, and that Pebble issues with it.
func TestUnusableRecordsGetOneCorrectRecordBesideThem(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	issuer := b.IssuerDomains[0]
	past := strconv.FormatInt(time.Now().Add(-24*time.Hour).Unix(), 10)

	tests := []struct {
		name string
		seed func(ours string) []string
	}{
		{"duplicate tag", func(ours string) []string { return []string{ours + "; policy=wildcard; policy=wildcard"} }},
		{"empty tag", func(ours string) []string { return []string{ours + "; =x"} }},
		{"parameter without value separator", func(ours string) []string { return []string{ours + "; policy"} }},
		{"trailing semicolon", func(ours string) []string { return []string{ours + ";"} }},
		{"persistUntil not a number", func(ours string) []string { return []string{ours + "; persistUntil=tomorrow"} }},
		{"persistUntil negative", func(ours string) []string { return []string{ours + "; persistUntil=-5"} }},
		{"non-ASCII value of a repeated unknown tag", func(ours string) []string { return []string{ours + "; note=bücher; note=x"} }},
		{"upper-case issuer", func(ours string) []string { return []string{strings.ToUpper(issuer[:1]) + ours[1:]} }},
		{"expired persistUntil", func(ours string) []string { return []string{ours + "; persistUntil=" + past} }},
		{"foreign records only", func(string) []string {
			return []string{
				issuer + "; accounturi=https://127.0.0.1:1/my-account/other",
				"other-ca.example; accounturi=https://other-ca.example/acct/1",
				"v=spf1 -all",
			}
		}},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			client, cfg := e2etest.Account(t, b, b.DirectoryURL)
			pub := publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "rec"+strconv.Itoa(i))
			rr := e2etest.RecordName(domain)
			ours := ourValue(b, cfg)
			seeded := tt.seed(ours)

			for _, v := range seeded {
				e2etest.AddTXT(t, b, rr, v)
			}

			if _, err := e2etest.Obtain(client, domain); err != nil {
				t.Fatalf("obtain with unusable records %q: %v", seeded, err)
			}

			if got := pub.Published(); !slices.Equal(got, []string{ours}) {
				t.Errorf("published %q; want exactly [%q]", got, ours)
			}

			want := append(slices.Clone(seeded), ours)
			slices.Sort(want)

			if got := txtOrNil(b, rr); !slices.Equal(got, want) {
				t.Errorf("records at %s are %q; want the seeded ones plus ours: %q", rr, got, want)
			}
		})
	}
}

// TestIDNDomainIsValidatedAtItsALabelRecord obtains a certificate for a
// U-label name: lego sends the A-label to the CA, and the record is written
// at the A-label name.
func TestIDNDomainIsValidatedAtItsALabelRecord(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
		t.Fatal(err)
	}

	res, err := e2etest.Obtain(client, e2etest.Domain(b, "bücher"))
	if err != nil {
		t.Fatal(err)
	}

	aLabel := e2etest.Domain(b, "xn--bcher-kva")
	if res.Domain != aLabel {
		t.Errorf("certificate for %q; want %q", res.Domain, aLabel)
	}

	if got := e2etest.TXT(t, b, e2etest.RecordName(aLabel)); !slices.Equal(got, []string{ourValue(b, cfg)}) {
		t.Errorf("records at %s: %q; want ours", e2etest.RecordName(aLabel), got)
	}

	if n := pub.Calls(); n != 1 {
		t.Errorf("Publish called %d times; want 1", n)
	}
}

// TestInvalidPunycodeIsDroppedByLegoNotSolved documents lego v4's own
// handling of a name that is not valid IDNA: Obtain drops it before ordering
// and only logs it, so an order of it and a good name yields a certificate
// without it, and an order of it alone fails at the CA with "no
// identifiers". Callers (the CLI) must validate names before Obtain. The
// solver never sees the name and writes nothing for it.
func TestInvalidPunycodeIsDroppedByLegoNotSolved(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
		t.Fatal(err)
	}

	bad, good := e2etest.Domain(b, "xn--zz"), e2etest.Domain(b, "good")

	_, err := e2etest.Obtain(client, bad)
	wantCause(t, err, "Order did not specify any identifiers")

	res, err := e2etest.Obtain(client, good, bad)
	if err != nil {
		t.Fatal(err)
	}

	crt, err := certcrypto.ParsePEMCertificate(res.Certificate)
	if err != nil {
		t.Fatal(err)
	}

	if !slices.Equal(crt.DNSNames, []string{good}) {
		t.Errorf("certificate names %q; lego was expected to drop %s and keep only %s", crt.DNSNames, bad, good)
	}

	if got := pub.Published(); len(got) != 1 {
		t.Errorf("published %q; want one record (for %s)", got, good)
	}

	if got := txtOrNil(b, e2etest.RecordName(bad)); len(got) != 0 {
		t.Errorf("records at %s: %q", e2etest.RecordName(bad), got)
	}
}
