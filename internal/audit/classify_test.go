package audit

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

const (
	prefix = "https://ca.example/account-hash/"
	// thumb is RFC 7638's example thumbprint; oldThumb stands for the
	// thumbprint of an earlier account key.
	thumb    = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	oldThumb = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)

var (
	meta02 = draft.Meta{IssuerDomainNames: []string{issuer}, AccountHashPrefix: prefix}
	meta01 = draft.Meta{CAAIdentities: []string{issuer}}
	me     = draft.Account{URL: acct, Thumbprint: thumb}
)

func hashed(t *testing.T, pfx, domain, tp string) string {
	t.Helper()

	h, err := record.HashAccountURI(pfx, domain, tp, acct)
	if err != nil {
		t.Fatal(err)
	}

	return h
}

// classified is the expected Records entry, by its identifying fields.
type classified struct {
	class Class
	draft string
	form  string
}

func TestCheckTellsWhichCAAndDraftEveryValueServes(t *testing.T) {
	exact02 := value(hashed(t, prefix, "example.com", thumb), false, time.Time{})
	any02 := value(hashed(t, prefix, "*", thumb), false, time.Time{})
	otherPrefix02 := value(hashed(t, "https://other.example/h/", "example.com", thumb), false, time.Time{})
	stale02 := value(hashed(t, prefix, "example.com", oldThumb), false, time.Time{})
	raw01 := value(acct, false, time.Time{})
	expired02 := value(hashed(t, prefix, "example.com", thumb), false, now.Add(-time.Hour))
	foreignCA := "other.ca; accounturi=" + acct

	tests := []struct {
		name      string
		meta      draft.Meta
		values    []string
		want      Status
		wantValue string
		records   []classified
	}{
		{"draft-02 CA, exact hashed value", meta02, []string{exact02}, StatusOK, exact02,
			[]classified{{ClassThisCA, "draft-02", FormExact}}},
		{"draft-02 CA, any-domain hashed value", meta02, []string{any02}, StatusOK, any02,
			[]classified{{ClassThisCA, "draft-02", FormAnyDomain}}},
		{"draft-02 CA, only the raw account URL", meta02, []string{raw01}, StatusWrongAccount, raw01,
			[]classified{{ClassOtherDraft, "draft-01", FormAccountURL}}},
		{"draft-02 CA, draft-01 and draft-02 records side by side", meta02, []string{raw01, exact02}, StatusOK, exact02,
			[]classified{{ClassOtherDraft, "draft-01", FormAccountURL}, {ClassThisCA, "draft-02", FormExact}}},
		{"draft-02 CA, value hashed with a key this path does not know", meta02, []string{stale02}, StatusWrongAccount, stale02,
			[]classified{{ClassOtherAccount, "", ""}}},
		{"draft-02 CA, unknown key's value next to the current one", meta02, []string{stale02, exact02}, StatusOK, exact02,
			[]classified{{ClassOtherAccount, "", ""}, {ClassThisCA, "draft-02", FormExact}}},
		{"draft-02 CA, this account hashed under another CA's prefix", meta02, []string{otherPrefix02}, StatusWrongAccount, otherPrefix02,
			[]classified{{ClassOtherDraft, "draft-02", FormExact}}},
		{"draft-02 CA, expired value stays expired", meta02, []string{expired02}, StatusExpired, expired02,
			[]classified{{ClassThisCA, "draft-02", FormExact}}},
		{"draft-02 CA, another CA's record", meta02, []string{foreignCA}, StatusWrongIssuer, foreignCA,
			[]classified{{ClassOtherCA, "", ""}}},
		{"draft-02 CA, another account's URL", meta02, []string{value(other, false, time.Time{})}, StatusWrongAccount, "",
			[]classified{{ClassOtherAccount, "", ""}}},
		{"draft-01 CA, raw account URL", meta01, []string{raw01}, StatusOK, raw01,
			[]classified{{ClassThisCA, "draft-01", FormAccountURL}}},
		{"draft-01 CA, only a draft-02 value", meta01, []string{exact02}, StatusWrongAccount, exact02,
			[]classified{{ClassOtherDraft, "draft-02", FormExact}}},
		{"draft-01 CA, a hashed value of another key is not stale", meta01, []string{stale02}, StatusWrongAccount, stale02,
			[]classified{{ClassOtherAccount, "", ""}}},
		{"draft-01 CA, both records", meta01, []string{exact02, raw01}, StatusOK, raw01,
			[]classified{{ClassOtherDraft, "draft-02", FormExact}, {ClassThisCA, "draft-01", FormAccountURL}}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Auditor{
				DNS:     fakeDNS{name: servers(tt.values)},
				Issuers: []string{issuer},
				Meta:    tt.meta,
				Account: me,
				Now:     func() time.Time { return now },
			}

			got := a.Check(context.Background(), "example.com")
			if got.Status != tt.want {
				t.Fatalf("status %s (%s), want %s", got.Status, got.Reason, tt.want)
			}

			if tt.wantValue != "" && got.Value != tt.wantValue {
				t.Errorf("value %q, want %q", got.Value, tt.wantValue)
			}

			if got.Draft != tt.meta.Version().String() {
				t.Errorf("draft %q, want %q", got.Draft, tt.meta.Version())
			}

			if len(got.Records) != len(tt.records) {
				t.Fatalf("%d records, want %d: %+v", len(got.Records), len(tt.records), got.Records)
			}

			for i, w := range tt.records {
				r := got.Records[i]
				if r.Value != tt.values[i] || r.Class != w.class || r.Draft != w.draft || r.Form != w.form || r.Serves == "" {
					t.Errorf("record %d = %+v, want %s %q %q for %q", i, r, w.class, w.draft, w.form, tt.values[i])
				}
			}
		})
	}
}

// draft-02 §4.2: a value hashed with an earlier key of the account is
// still accepted until deactivation: ok, with advice to republish.
func TestPriorKeyValueIsThisAccountsAndOK(t *testing.T) {
	old := value(hashed(t, prefix, "example.com", oldThumb), false, time.Time{})
	withHistory := draft.Account{URL: acct, Thumbprint: thumb, PriorThumbprints: []string{oldThumb}}

	a := &Auditor{
		DNS:     fakeDNS{name: servers([]string{old})},
		Issuers: []string{issuer},
		Meta:    meta02,
		Account: withHistory,
		Now:     func() time.Time { return now },
	}

	got := a.Check(context.Background(), "example.com")
	if !got.OK() || got.Value != old {
		t.Fatalf("status %s (%s), want ok for the prior key's value", got.Status, got.Reason)
	}

	if len(got.Records) != 1 || got.Records[0].Class != ClassPriorKey || got.Records[0].Form != FormExact {
		t.Errorf("records %+v, want one prior-key exact value", got.Records)
	}

	if !strings.Contains(got.Note, "earlier account key") || got.Publish != "" {
		t.Errorf("note %q, publish %q: want a republish note and no finding", got.Note, got.Publish)
	}
}

func TestPublishIsGivenOnlyForFindingsANewRecordFixes(t *testing.T) {
	ours := value(acct, false, time.Time{})

	tests := []struct {
		name        string
		answers     []dnsq.Answer
		wantPublish bool
	}{
		{"ok", servers([]string{ours}), false},
		{"missing", servers(nil), true},
		{"wrong account", servers([]string{value(other, false, time.Time{})}), true},
		{"lookup error", []dnsq.Answer{{Server: "ns1:53", Err: context.DeadlineExceeded}}, false},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Auditor{
				DNS:     fakeDNS{name: tt.answers},
				Issuers: []string{issuer},
				Meta:    meta01,
				Account: me,
				Publish: func(string) (string, error) { return "the line", nil },
			}

			got := a.Check(context.Background(), "example.com")
			if (got.Publish != "") != tt.wantPublish {
				t.Errorf("status %s: publish %q, want publish %v", got.Status, got.Publish, tt.wantPublish)
			}
		})
	}
}
