package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// A record this account published, deleted behind its back, is reported as
// drift by check (besides the missing status); record notes what it printed.
func TestCheckReportsDriftOfRecordsWePublished(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "drift")
	name := e2etest.RecordName(d)

	if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("run: %s", res)
	}

	published := e2etest.TXT(t, b, name)
	if len(published) != 1 {
		t.Fatalf("records after run: %q", published)
	}

	if err := b.DeleteTXT(context.Background(), name, published[0]); err != nil {
		t.Fatal(err)
	}

	res := h.Run(t, "-d", d, "check", "--json")

	var out []struct {
		Domain, Status string
		Drift          []struct{ Name, Value, Publisher string }
	}

	if err := json.Unmarshal([]byte(res.Stdout), &out); err != nil {
		t.Fatalf("check --json: %v\n%s", err, res)
	}

	if res.Code != 1 || len(out) != 1 || out[0].Status != "missing" || len(out[0].Drift) != 1 ||
		out[0].Drift[0].Value != published[0] || out[0].Drift[0].Publisher != "rfc2136" {
		t.Errorf("check after our record was deleted: exit %d, %+v; want missing with the published value as drift", res.Code, out)
	}

	table := h.Run(t, "-d", d, "check")
	if !strings.Contains(table.Stdout, "drift: ") || !strings.Contains(table.Stdout, "published through rfc2136") {
		t.Errorf("check table does not report the drift:\n%s", table)
	}

	t.Run("printed records are noted too", func(t *testing.T) {
		other := e2etest.Domain(b, "printed")
		if res := h.Run(t, "-d", other, "record"); res.Code != 0 {
			t.Fatalf("record: %s", res)
		}

		res := h.Run(t, "-d", other, "check")
		if !strings.Contains(res.Stdout, "printed by record") {
			t.Errorf("a printed, never published record is not reported as drift:\n%s", res)
		}
	})
}

// list marks a certificate whose record we published is gone.
func TestListMarksDrift(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "listdrift")
	name := e2etest.RecordName(d)

	if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("run: %s", res)
	}

	for _, v := range e2etest.TXT(t, b, name) {
		if err := b.DeleteTXT(context.Background(), name, v); err != nil {
			t.Fatal(err)
		}
	}

	res := h.Run(t, "list")
	if !strings.Contains(res.Stdout, "missing (drift: see check)") {
		t.Errorf("list does not mark the drift:\n%s", res)
	}
}
