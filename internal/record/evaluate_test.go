package record

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	past := now.Add(-time.Second).Unix()
	future := now.Add(time.Hour).Unix()

	base := Want{
		Issuers:     []string{"ca.example", "ca.example.net"},
		AccountURIs: []string{acct1},
		At:          now,
	}
	wild := base
	wild.Wildcard = true

	ours := "ca.example; accounturi=" + acct1
	other := "other-ca.example; accounturi=https://other-ca.example/acct/9"

	tests := []struct {
		name       string
		txts       []string
		want       Want
		wantStatus Status
		wantRaw    string
		wantReason string // substring
	}{
		{
			name:       "no records",
			txts:       nil,
			want:       base,
			wantStatus: StatusMissing,
			wantReason: "no TXT record",
		},
		{
			name:       "our record",
			txts:       []string{ours},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    ours,
		},
		{
			name:       "second issuer of the list",
			txts:       []string{"ca.example.net; accounturi=" + acct1},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    "ca.example.net; accounturi=" + acct1,
		},
		{
			name:       "issuer in other case counts at Boulder only",
			txts:       []string{"CA.Example; accounturi=" + acct1},
			want:       base,
			wantStatus: StatusCADependent,
			wantRaw:    "CA.Example; accounturi=" + acct1,
		},
		{
			name:       "one of several acceptable accounturis",
			txts:       []string{"ca.example; accounturi=" + acct2},
			want:       Want{Issuers: base.Issuers, AccountURIs: []string{acct1, acct2}, At: now},
			wantStatus: StatusOK,
			wantRaw:    "ca.example; accounturi=" + acct2,
		},
		{
			name:       "foreign records only",
			txts:       []string{other, "garbage without structure"},
			want:       base,
			wantStatus: StatusWrongIssuer,
			wantRaw:    other,
			wantReason: `records name issuer "other-ca.example", "garbage without structure"; want one of ca.example, ca.example.net`,
		},
		{
			name:       "our record among foreign ones",
			txts:       []string{other, ours, "x; y"},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    ours,
		},
		{
			name:       "malformed foreign record is not our problem",
			txts:       []string{"other-ca.example; accounturi=;;", ours},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    ours,
		},
		{
			name:       "other account",
			txts:       []string{"ca.example; accounturi=" + acct2},
			want:       base,
			wantStatus: StatusWrongAccount,
			wantRaw:    "ca.example; accounturi=" + acct2,
			wantReason: "accounturi is " + acct2 + ", want " + acct1,
		},
		{
			name:       "accounturi compares case-sensitively",
			txts:       []string{"ca.example; accounturi=" + strings.ToUpper(acct1)},
			want:       base,
			wantStatus: StatusWrongAccount,
		},
		{
			name:       "expired",
			txts:       []string{ours + "; persistUntil=" + itoa(past)},
			want:       base,
			wantStatus: StatusExpired,
			wantReason: "persistUntil=" + itoa(past) + " (2026-03-01T11:59:59Z) has passed",
		},
		{
			name:       "persistUntil equal to At is still valid",
			txts:       []string{ours + "; persistUntil=" + itoa(now.Unix())},
			want:       base,
			wantStatus: StatusOK,
		},
		{
			name:       "persistUntil in the future",
			txts:       []string{ours + "; persistUntil=" + itoa(future)},
			want:       base,
			wantStatus: StatusOK,
		},
		{
			name:       "no wildcard policy for a wildcard authorization",
			txts:       []string{ours, ours + "; policy=other"},
			want:       wild,
			wantStatus: StatusNoWildcard,
			wantRaw:    ours,
			wantReason: "policy=wildcard",
		},
		{
			name:       "wildcard policy for a wildcard authorization",
			txts:       []string{ours + "; policy=Wildcard"},
			want:       wild,
			wantStatus: StatusOK,
		},
		{
			name:       "wildcard policy is fine for a plain name",
			txts:       []string{ours + "; policy=wildcard"},
			want:       base,
			wantStatus: StatusOK,
		},
		{
			name:       "malformed record for our issuer",
			txts:       []string{other, ours + ";"},
			want:       base,
			wantStatus: StatusMalformed,
			wantRaw:    ours + ";",
			wantReason: "trailing ';'",
		},
		{
			name:       "our issuer with a trailing dot: Boulder accepts, Pebble refuses",
			txts:       []string{"ca.example.; accounturi=" + acct1},
			want:       base,
			wantStatus: StatusCADependent,
			wantReason: "Boulder accepts this record but Pebble refuses it",
		},
		{
			name:       "malformed record next to a valid one",
			txts:       []string{"ca.example; accounturi=" + acct1 + "; accounturi=" + acct1, ours},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    ours,
		},
		{
			name:       "first ok wins",
			txts:       []string{"ca.example; accounturi=" + acct2, ours + "; policy=wildcard", ours},
			want:       base,
			wantStatus: StatusOK,
			wantRaw:    ours + "; policy=wildcard",
		},
		{
			name: "expired beats no-wildcard, wrong-account, malformed and wrong-issuer",
			txts: []string{
				other,
				ours + ";",
				"ca.example; accounturi=" + acct2 + "; policy=wildcard",
				ours,
				ours + "; policy=wildcard; persistUntil=" + itoa(past),
			},
			want:       wild,
			wantStatus: StatusExpired,
			wantRaw:    ours + "; policy=wildcard; persistUntil=" + itoa(past),
		},
		{
			name:       "no-wildcard beats wrong-account",
			txts:       []string{"ca.example; accounturi=" + acct2 + "; policy=wildcard", ours},
			want:       wild,
			wantStatus: StatusNoWildcard,
			wantRaw:    ours,
		},
		{
			name:       "wrong-account beats malformed",
			txts:       []string{ours + "; x", "ca.example; accounturi=" + acct2},
			want:       base,
			wantStatus: StatusWrongAccount,
			wantRaw:    "ca.example; accounturi=" + acct2,
		},
		{
			name:       "among equal problems the first is reported",
			txts:       []string{"ca.example; accounturi=https://a", "ca.example; accounturi=https://b"},
			want:       base,
			wantStatus: StatusWrongAccount,
			wantRaw:    "ca.example; accounturi=https://a",
		},
		{
			name:       "a record failing account and expiry reports the account",
			txts:       []string{"ca.example; accounturi=" + acct2 + "; persistUntil=" + itoa(past)},
			want:       base,
			wantStatus: StatusWrongAccount,
		},
		{
			name:       "no acceptable accounturi configured",
			txts:       []string{ours},
			want:       Want{Issuers: base.Issuers, At: now},
			wantStatus: StatusWrongAccount,
			wantReason: "(none configured)",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Evaluate(tt.txts, tt.want)

			if got.Status != tt.wantStatus {
				t.Fatalf("Status = %q (reason %q), want %q", got.Status, got.Reason, tt.wantStatus)
			}

			if tt.wantRaw != "" && got.Raw != tt.wantRaw {
				t.Errorf("Raw = %q, want %q", got.Raw, tt.wantRaw)
			}

			if !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tt.wantReason)
			}

			switch got.Status {
			case StatusOK:
				if got.Reason != "" {
					t.Errorf("ok verdict has Reason %q", got.Reason)
				}

				fallthrough
			case StatusExpired, StatusNoWildcard, StatusWrongAccount:
				if v, err := Parse(got.Raw); err != nil || v != got.Value {
					t.Errorf("Value %#v is not the parse of Raw %q (%v)", got.Value, got.Raw, err)
				}
			case StatusMalformed, StatusMissing:
				if got.Value != (Value{}) {
					t.Errorf("Value = %#v, want zero for %s", got.Value, got.Status)
				}
			}

			if got.Status != StatusOK && got.Reason == "" {
				t.Errorf("non-ok verdict %q without a Reason", got.Status)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
