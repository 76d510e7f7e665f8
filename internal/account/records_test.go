package account

import (
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/inventory"
	"github.com/lego-persist/lego-persist/internal/record"
)

const (
	caURL = "https://ca.example/dir"
	acct  = "https://ca.example/acct/123"
	// oldTP is RFC 7638's example key thumbprint (the SPEC's test vector).
	oldTP  = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	newTP  = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	prefix = "https://ca.example/account-hash/"
)

var meta02 = draft.Meta{AccountHashPrefix: prefix, IssuerDomainNames: []string{"authority.example"}, CAAIdentities: []string{"authority.example"}}

func hashed(t *testing.T, domain, tp string) string {
	t.Helper()

	u, err := record.HashAccountURI(prefix, domain, tp, acct)
	if err != nil {
		t.Fatal(err)
	}

	return u
}

func TestImpliedRecordsPerDraft(t *testing.T) {
	tests := []struct {
		name      string
		meta      draft.Meta
		wantValue string
		wantForm  string
	}{
		{"draft-01 holds the account URL", draft.Meta{CAAIdentities: []string{"authority.example"}},
			"authority.example; accounturi=" + acct, "account-url"},
		{"draft-02 any-domain hash (SPEC vector)", meta02,
			"authority.example; accounturi=" + prefix + "sha-256/NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug", "any-domain"},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ImpliedRecords(tc.meta, nil, acct, oldTP)
			if err != nil {
				t.Fatal(err)
			}

			if len(got) != 1 || got[0].Value != tc.wantValue || got[0].Form != tc.wantForm {
				t.Errorf("ImpliedRecords = %+v, want one %s value %q", got, tc.wantForm, tc.wantValue)
			}
		})
	}
}

func TestRepublishRehashesEachValueInItsOwnForm(t *testing.T) {
	until := time.Unix(1900000000, 0).UTC()
	name := "_validation-persist.example.com."

	exactOld := record.Value{Issuer: "authority.example", AccountURI: hashed(t, "example.com", oldTP), Wildcard: true, PersistUntil: until}
	anyOld := record.Value{Issuer: "authority.example", AccountURI: hashed(t, "*", oldTP)}

	entry := func(v record.Value, tp string) inventory.Entry {
		return inventory.Entry{Name: name, Value: v.String(), CA: caURL, AccountURL: acct, Draft: "draft-02", KeyThumbprint: tp}
	}

	removed := entry(anyOld, oldTP)
	removed.Removed = &until

	otherCA := entry(exactOld, oldTP)
	otherCA.CA = "https://other.example/dir"

	entries := []inventory.Entry{
		entry(exactOld, oldTP),
		entry(anyOld, oldTP),
		entry(anyOld, oldTP), // a duplicate is planned once
		removed,
		otherCA,
		{Name: name, Value: "authority.example; accounturi=" + acct, CA: caURL, AccountURL: acct, Draft: "draft-01", KeyThumbprint: oldTP},
	}

	got, err := Republish(meta02, caURL, acct, newTP, entries)
	if err != nil {
		t.Fatal(err)
	}

	exactNew := exactOld
	exactNew.AccountURI = hashed(t, "example.com", newTP)
	anyNew := anyOld
	anyNew.AccountURI = hashed(t, "*", newTP)

	want := []Change{
		{Name: name, Old: exactOld.String(), New: exactNew.String()},
		{Name: name, Old: anyOld.String(), New: anyNew.String()},
	}

	if len(got) != len(want) {
		t.Fatalf("Republish = %+v, want %+v", got, want)
	}

	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	// Once the new values are in the inventory, nothing is left to do.
	done := append(entries, entry(exactNew, newTP), entry(anyNew, newTP))
	if again, err := Republish(meta02, caURL, acct, newTP, done); err != nil || len(again) != 0 {
		t.Errorf("Republish after publishing = %+v, %v; want nothing", again, err)
	}

	if none, err := Republish(draft.Meta{}, caURL, acct, newTP, entries); err != nil || len(none) != 0 {
		t.Errorf("Republish at a draft-01 CA = %+v, %v; want nothing", none, err)
	}
}
