package e2e

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/go-acme/lego/v4/challenge/http01"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// A read-only client (nil Publisher) with http-01 configured on
// client.Challenge obtains a certificate for a name without a record, while
// the CA offers dns-persist-01: lego's own solver takes over, nothing is
// written to DNS.
func TestReadOnlyClientHandsMissingRecordsToLegosSolvers(t *testing.T) {
	b := bed.New(t, bed.Options{ExtraZoneRecords: []string{"handover IN A 127.0.0.1"}})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)

	srv := http01.NewProviderServer("127.0.0.1", strconv.Itoa(b.HTTPPort))
	if err := client.Challenge.SetHTTP01Provider(srv); err != nil {
		t.Fatal(err)
	}

	if err := persist.Enable(client, cfg, nil, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "handover")
	before := e2etest.SOASerial(t, b)

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatalf("http-01 did not take over the name without a record: %v", err)
	}

	if got := e2etest.SOASerial(t, b); got != before {
		t.Errorf("the zone changed (serial %d -> %d) though no publisher was configured", before, got)
	}
}

func TestStrictReadOnlyKeepsTheMissingRecordError(t *testing.T) {
	b := bed.New(t, bed.Options{ExtraZoneRecords: []string{"strict IN A 127.0.0.1"}})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)

	srv := http01.NewProviderServer("127.0.0.1", strconv.Itoa(b.HTTPPort))
	if err := client.Challenge.SetHTTP01Provider(srv); err != nil {
		t.Fatal(err)
	}

	if err := persist.Enable(client, cfg, nil, loopback(b, persist.WithStrictReadOnly())...); err != nil {
		t.Fatal(err)
	}

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "strict"))
	if !errors.Is(err, persist.ErrRecordMissing) {
		t.Fatalf("want ErrRecordMissing with WithStrictReadOnly, got %v", err)
	}
}

// Without any lego solver, the missing record's error names the record to
// publish and the challenges the CA offered.
func TestReadOnlyWithoutSolversNamesRecordAndOfferedChallenges(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)

	if err := persist.Enable(client, cfg, nil, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	_, err := e2etest.Obtain(client, e2etest.Domain(b, "nosolver"))
	if !errors.Is(err, persist.ErrRecordMissing) {
		t.Fatalf("want ErrRecordMissing, got %v", err)
	}

	for _, want := range []string{"_validation-persist.", "http-01", "dns-persist-01", "nothing was written"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// An order whose first name gets its record while the second fails says
// what was written: "nothing was written" only about the name it concerns.
func TestPartlyWrittenOrderSaysWhatWasPublished(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.Publisher(t, b)

	if err := persist.Enable(client, cfg, pub, loopback(b)...); err != nil {
		t.Fatal(err)
	}

	inside := e2etest.Domain(b, "inside")

	_, err := e2etest.Obtain(client, inside, "outside.example")
	if err == nil {
		t.Fatal("an order with a name outside every served zone succeeded")
	}

	msg := err.Error()
	if !strings.Contains(msg, "[outside.example]") || !strings.Contains(msg, "records were published in this run at "+e2etest.RecordName(inside)) {
		t.Errorf("error does not name the failing name and the record written for the other:\n%s", msg)
	}

	if pub.Calls() != 1 {
		t.Errorf("%d publishes, want 1 (for %s)", pub.Calls(), inside)
	}
}
