package account

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

func TestDeactivateStopsLaterCommandsWithTheReason(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "brake")

	issue(t, h, d)

	s := readStored(t, h)
	marker := filepath.Join(s.dir, "account.deactivated")

	// No --yes and no terminal (the harness gives the child no stdin).
	res := h.Run(t, "account", "deactivate")
	if res.Code != 2 || !strings.Contains(res.Stderr, "--yes") || !strings.Contains(res.Stderr, "stops") {
		t.Fatalf("deactivate without --yes and terminal: want exit 2 after saying what it does:\n%s", res)
	}

	if acct, err := caAccount(t, b, h.Server, s.url, s.key); err != nil || acct.Status != "valid" {
		t.Fatalf("the refused deactivation reached the CA: %+v, %v", acct, err)
	}

	res = h.Run(t, "account", "deactivate", "--yes")
	if res.Code != 0 || !strings.Contains(res.Stderr, "stops") {
		t.Fatalf("deactivate --yes:\n%s", res)
	}

	if _, err := caAccount(t, b, h.Server, s.url, s.key); problemType(err) != "urn:ietf:params:acme:error:unauthorized" {
		t.Errorf("Pebble after deactivation: %v; want unauthorized", err)
	}

	if _, err := os.Stat(marker); err != nil {
		t.Errorf("no deactivation marker: %v", err)
	}

	if after := readStored(t, h); !bytes.Equal(after.json, s.json) {
		t.Errorf("account.json changed (lego v4 must still read it):\n%s", after.json)
	}

	// The inventory lists the record that stopped validating.
	if !strings.Contains(res.Stdout, "remove: "+e2etest.RecordName(d)) {
		t.Errorf("deactivate does not list the record to remove:\n%s", res)
	}

	want := "account " + s.url + " is deactivated at " + h.Server
	for _, args := range [][]string{
		{"--dns-persist", "rfc2136", "-d", d, "run"},
		{"-d", d, "renew", "--days", "9999", "--no-random-sleep"},
		{"renew", "--no-random-sleep"},
		{"-d", d, "record"},
		{"-d", d, "check"},
	} {
		res := h.Run(t, args...)
		if res.Code != 1 || !strings.Contains(res.Stderr, want) || !strings.Contains(res.Stderr, "create a new account") {
			t.Errorf("%v after deactivation: want exit 1 and %q:\n%s", args, want, res)
		}
	}

	res = h.Run(t, "account", "show")
	if res.Code != 0 || !strings.Contains(res.Stdout, "deactivated") {
		t.Errorf("account show after deactivation:\n%s", res)
	}
}
