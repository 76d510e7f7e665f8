package e2e

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// TestReadOnlyDecisionMatchesPebblesValidation publishes one oddly written
// record per case, then lets a strict read-only client decide "use it"
// (it answers the challenge and Obtain succeeds) or "a record is needed"
// (ErrRecordMissing, nothing answered), and separately answers a fresh
// challenge for the same name by hand so Pebble's own validation decides.
// The two must agree: the client never answers a challenge Pebble fails,
// and never refuses a record Pebble accepts.
func TestReadOnlyDecisionMatchesPebblesValidation(t *testing.T) {
	b := bed.New(t, bed.Options{})
	issuer := b.IssuerDomains[0]
	future := strconv.FormatInt(time.Now().Add(24*time.Hour).Unix(), 10)
	past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)

	tests := []struct {
		name   string
		record func(acct string) string
		usable bool // what Pebble decides (and so must the client)
	}{
		{"canonical", func(a string) string { return issuer + "; accounturi=" + a }, true},
		{"raw TAB after ';' (\\009 to the CA)", func(a string) string { return issuer + ";\taccounturi=" + a }, false},
		{"raw TAB before ';'", func(a string) string { return issuer + "\t; accounturi=" + a }, false},
		{"unknown tag spelled with a space", func(a string) string { return issuer + "; accounturi=" + a + "; bad tag=value" }, true},
		{"non-ASCII value of an unknown tag", func(a string) string { return issuer + "; accounturi=" + a + "; note=bücher" }, true},
		{"persistUntil with a plus sign", func(a string) string { return issuer + "; accounturi=" + a + "; persistUntil=+" + future }, true},
		{"persistUntil=-1", func(a string) string { return issuer + "; accounturi=" + a + "; persistUntil=-1" }, false},
		{"persistUntil passed", func(a string) string { return issuer + "; accounturi=" + a + "; persistUntil=" + past }, false},
		{"unknown tag repeated (Pebble refuses, Boulder would not)", func(a string) string { return issuer + "; accounturi=" + a + "; x=1; x=2" }, false},
		{"issuer in upper case (Pebble refuses, Boulder would not)", func(a string) string { return strings.ToUpper(issuer) + "; accounturi=" + a }, false},
		{"issuer with a trailing dot", func(a string) string { return issuer + ".; accounturi=" + a }, false},
		{"mixed-case tags", func(a string) string { return issuer + "; AccountURI=" + a + "; PersistUntil=" + future }, true},
		{"trailing ';'", func(a string) string { return issuer + "; accounturi=" + a + ";" }, false},
		{"value split across two strings by length", func(a string) string {
			return issuer + "; accounturi=" + a + "; note=" + strings.Repeat("n", 300)
		}, true},
		{"accounturi with a trailing slash", func(a string) string { return issuer + "; accounturi=" + a + "/" }, false},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, cfg := e2etest.Account(t, b, b.DirectoryURL)
			acct := cfg.User.GetRegistration().URI

			domain := e2etest.Domain(b, "conf"+strconv.Itoa(i))
			e2etest.AddTXT(t, b, e2etest.RecordName(domain), tt.record(acct))

			if got := pebbleValidates(t, cfg, domain); got != tt.usable {
				t.Fatalf("Pebble validates %q: %v, the table says %v", tt.record(acct), got, tt.usable)
			}

			if err := persist.Enable(client, cfg, nil, loopback(b, persist.WithStrictReadOnly())...); err != nil {
				t.Fatal(err)
			}

			before := e2etest.SOASerial(t, b)

			_, err := e2etest.Obtain(client, domain)

			switch {
			case tt.usable && err != nil:
				t.Errorf("Pebble accepts the record, the client refused it: %v", err)
			case !tt.usable && !errors.Is(err, persist.ErrRecordMissing):
				t.Errorf("Pebble refuses the record, the client did not say a record is needed: %v", err)
			}

			if after := e2etest.SOASerial(t, b); after != before {
				t.Errorf("a read-only run changed the zone (serial %d -> %d)", before, after)
			}
		})
	}
}

// pebbleValidates orders domain for cfg's account, answers its
// dns-persist-01 challenge whatever the records say, and reports whether
// Pebble set the authorization valid. Pebble reuses a valid authorization
// now and then (DEPENDENCIES.md): one that comes back valid counts.
func pebbleValidates(t *testing.T, cfg *lego.Config, domain string) bool {
	t.Helper()

	core, err := api.New(cfg.HTTPClient, "conformance-test", cfg.CADirURL, cfg.User.GetRegistration().URI, cfg.User.GetPrivateKey())
	if err != nil {
		t.Fatal(err)
	}

	order, err := core.Orders.New([]string{domain})
	if err != nil {
		t.Fatal(err)
	}

	authz, err := core.Authorizations.Get(order.Authorizations[0])
	if err != nil {
		t.Fatal(err)
	}

	if authz.Status == acme.StatusValid {
		return true
	}

	var chURL string

	for _, ch := range authz.Challenges {
		if ch.Type == "dns-persist-01" {
			chURL = ch.URL
		}
	}

	if chURL == "" {
		t.Fatal("Pebble offers no dns-persist-01")
	}

	if _, err := core.Challenges.New(chURL); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	for ctx.Err() == nil {
		authz, err = core.Authorizations.Get(order.Authorizations[0])
		if err != nil {
			t.Fatal(err)
		}

		switch authz.Status {
		case acme.StatusValid:
			return true
		case acme.StatusInvalid:
			return false
		}

		time.Sleep(50 * time.Millisecond)
	}

	t.Fatalf("authorization for %s still %s", domain, authz.Status)

	return false
}
