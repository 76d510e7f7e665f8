package e2e

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// persistUntilOf returns the persistUntil of value (0 when absent).
func persistUntilOf(t *testing.T, value string) int64 {
	t.Helper()

	_, after, ok := strings.Cut(value, "persistUntil=")
	if !ok {
		return 0
	}

	n, err := strconv.ParseInt(after, 10, 64)
	if err != nil {
		t.Fatalf("persistUntil of %q: %v", value, err)
	}

	return n
}

// Rolling persistUntil: the first run writes persistUntil ≈ now + 48h; a
// renewal with the record far from expiry writes nothing; a renewal whose
// record expires within the refresh window leaves exactly one value of
// this account, with a later persistUntil, and every foreign value.
func TestRollingPersistUntilRefreshesOnlyWhenDue(t *testing.T) {
	b := bed.New(t, bed.Options{})
	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := e2etest.RFC2136(t, b)

	const persistFor, refreshBefore = 48 * time.Hour, 24 * time.Hour

	if err := persist.Enable(client, cfg, pub, loopback(b, persist.WithPersistFor(persistFor), persist.WithRefreshBefore(refreshBefore))...); err != nil {
		t.Fatal(err)
	}

	domain := e2etest.Domain(b, "rolling")
	rr := e2etest.RecordName(domain)
	ours := b.IssuerDomains[0] + "; accounturi=" + cfg.User.GetRegistration().URI

	start := time.Now()
	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatal(err)
	}

	first := e2etest.TXT(t, b, rr)
	if len(first) != 1 || !strings.HasPrefix(first[0], ours+"; persistUntil=") {
		t.Fatalf("first run published %q, want one value of ours with persistUntil", first)
	}

	if pu := persistUntilOf(t, first[0]); pu < start.Add(persistFor).Unix()-5 || pu > time.Now().Add(persistFor).Unix()+5 {
		t.Errorf("persistUntil %d, want about now + %s", pu, persistFor)
	}

	t.Run("not due: nothing written", func(t *testing.T) {
		before := e2etest.SOASerial(t, b)

		if _, err := e2etest.Obtain(client, domain); err != nil {
			t.Fatal(err)
		}

		if after := e2etest.SOASerial(t, b); after != before {
			t.Errorf("serial %d -> %d: a renewal with the record far from expiry wrote", before, after)
		}
	})

	t.Run("due: one fresh value of ours, foreign ones kept", func(t *testing.T) {
		soon := ours + "; persistUntil=" + strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
		foreign := []string{"other-ca.example; accounturi=https://other-ca.example/acct/7", b.IssuerDomains[0] + "; accounturi=https://127.0.0.1:1/my-account/other"}

		if err := b.DeleteTXT(t.Context(), rr, first[0]); err != nil {
			t.Fatal(err)
		}

		for _, v := range append([]string{soon}, foreign...) {
			e2etest.AddTXT(t, b, rr, v)
		}

		if _, err := e2etest.Obtain(client, domain); err != nil {
			t.Fatal(err)
		}

		got := e2etest.TXT(t, b, rr)

		var mine []string

		for _, v := range got {
			if strings.HasPrefix(v, ours+";") || v == ours {
				mine = append(mine, v)
			}
		}

		if len(mine) != 1 || persistUntilOf(t, mine[0]) <= persistUntilOf(t, soon) {
			t.Errorf("values of ours after the refresh: %q, want exactly one with a persistUntil after %q", mine, soon)
		}

		for _, f := range foreign {
			if !slices.Contains(got, f) {
				t.Errorf("foreign value %q lost; have %q", f, got)
			}
		}
	})
}
