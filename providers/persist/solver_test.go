package persist

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
)

func authz(value string, wildcard bool, status string, types ...string) acme.Authorization {
	a := acme.Authorization{Status: status, Wildcard: wildcard, Identifier: acme.Identifier{Type: "dns", Value: value}}
	for i, typ := range types {
		a.Challenges = append(a.Challenges, acme.Challenge{Type: typ, URL: fmt.Sprintf("https://ca/ch/%s/%d", value, i)})
	}

	return a
}

func TestGroupingGivesNameAndWildcardOneRecord(t *testing.T) {
	fails := &failures{}

	groups, others := groupAuthorizations([]acme.Authorization{
		authz("example.com", false, acme.StatusPending, "http-01", challengeType),
		authz("example.com", true, acme.StatusPending, challengeType, "dns-01"),
		authz("www.example.com", false, acme.StatusPending, challengeType),
		authz("done.example.com", false, acme.StatusValid, challengeType),
		authz("http.example.com", false, acme.StatusPending, "http-01"),
		authz("bad_name..example", false, acme.StatusPending, challengeType),
	}, fails)

	if len(groups) != 2 {
		t.Fatalf("%d groups, want 2 (example.com with its wildcard, www): %v", len(groups), groups)
	}

	g := groups["_validation-persist.example.com."]
	if g == nil || !g.wildcard || len(g.tasks) != 2 || g.base != "example.com" {
		t.Fatalf("example.com group = %+v, want both names, wildcard policy, base example.com", g)
	}

	if gw := groups["_validation-persist.www.example.com."]; gw == nil || gw.wildcard {
		t.Errorf("www group = %+v, want a plain record", gw)
	}

	if len(others) != 1 || others[0].Identifier.Value != "http.example.com" {
		t.Errorf("handed to lego: %v, want only http.example.com (valid ones need nothing)", others)
	}

	if err := fails.err(); err == nil || !strings.Contains(err.Error(), "bad_name..example") {
		t.Errorf("failures %v, want the bad identifier named", err)
	}
}

func TestWantForIntersectsIssuersInTheCAsOrder(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	g := &group{name: "_validation-persist.example.com.", wildcard: true}

	tests := []struct {
		name    string
		issuers [][]string
		want    []string
	}{
		{"one plan", [][]string{{"a.example", "b.example"}}, []string{"a.example", "b.example"}},
		{"common names keep the first plan's order", [][]string{{"b.example", "a.example"}, {"a.example", "b.example", "c.example"}}, []string{"b.example", "a.example"}},
		{"nothing in common", [][]string{{"a.example"}, {"b.example"}}, nil},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plans []plan
			for _, is := range tt.issuers {
				plans = append(plans, plan{issuers: is, accountURIs: []string{"https://ca/acct/1"}})
			}

			got, err := wantFor(g, plans, at)
			if tt.want == nil {
				if err == nil || !strings.Contains(err.Error(), "no common issuer-domain-name") {
					t.Fatalf("err %v, want no common issuer", err)
				}

				return
			}

			if err != nil || !slices.Equal(got.Issuers, tt.want) || !got.Wildcard || !got.At.Equal(at) || got.AccountURIs[0] != "https://ca/acct/1" {
				t.Errorf("wantFor = %+v, %v; want issuers %q, wildcard, At %v", got, err, tt.want, at)
			}
		})
	}
}

func TestEvaluateAnswersNeedsEveryServer(t *testing.T) {
	want := record.Want{Issuers: []string{"ca.example"}, AccountURIs: []string{"https://ca/acct/1"}}
	ours := "ca.example; accounturi=https://ca/acct/1"

	tests := []struct {
		name         string
		answers      []dnsq.Answer
		allOK, anyOK bool
		status       record.Status
	}{
		{"every server serves it", []dnsq.Answer{{Values: []string{ours}}, {Values: []string{"x", ours}}}, true, true, record.StatusOK},
		{"one server lags", []dnsq.Answer{{Values: []string{ours}}, {}}, false, true, record.StatusMissing},
		{"one server fails", []dnsq.Answer{{Values: []string{ours}}, {Err: errors.New("ns2: timeout")}}, false, true, record.StatusOK},
		{"nobody serves it", []dnsq.Answer{{}, {}}, false, false, record.StatusMissing},
		{"every server fails", []dnsq.Answer{{Err: errors.New("ns1: SERVFAIL")}}, false, false, "unreachable"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := evaluate(tt.answers, want)
			if st.allOK != tt.allOK || st.anyOK != tt.anyOK || st.verdict.Status != tt.status {
				t.Errorf("evaluate = all %v any %v %q, want all %v any %v %q", st.allOK, st.anyOK, st.verdict.Status, tt.allOK, tt.anyOK, tt.status)
			}
		})
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		retry bool
		wait  time.Duration
	}{
		{"rate limit with Retry-After", &acme.RateLimitedError{ProblemDetails: &acme.ProblemDetails{HTTPStatus: 429}, RetryAfter: "3"}, true, 3 * time.Second},
		{"server error", &acme.ProblemDetails{HTTPStatus: http.StatusServiceUnavailable}, true, 0},
		{"transport failure", fmt.Errorf("poll: %w", &url.Error{Op: "Post", URL: "https://ca", Err: errors.New("connection reset")}), true, 0},
		{"unauthorized is final", &acme.ProblemDetails{HTTPStatus: http.StatusForbidden, Type: "urn:ietf:params:acme:error:unauthorized"}, false, 0},
		{"plain error is final", errors.New("boom"), false, 0},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wait, retry := transient(tt.err)
			if retry != tt.retry || wait != tt.wait {
				t.Errorf("transient = %v, %v; want %v, %v", wait, retry, tt.wait, tt.retry)
			}
		})
	}
}

// The persistUntil pre-flight: a record valid now but not for the whole
// validation window counts as missing; a rolling record is refreshed only
// when its persistUntil comes within WithRefreshBefore.
func TestPersistUntilPreflightAndRefreshWindow(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	value := func(until time.Time) string {
		return fmt.Sprintf("ca.example; accounturi=https://ca/acct/1; persistUntil=%d", until.Unix())
	}

	want := record.Want{Issuers: []string{"ca.example"}, AccountURIs: []string{"https://ca/acct/1"}, At: now.Add(DefaultValidationTimeout)}

	if v := record.Evaluate([]string{value(now.Add(time.Minute))}, want); v.Status != record.StatusExpired {
		t.Errorf("record ending within the validation window: %s, want expired (treated as missing)", v.Status)
	}

	if v := record.Evaluate([]string{value(now.Add(time.Hour))}, want); v.Status != record.StatusOK {
		t.Errorf("record ending after the window: %s, want ok", v.Status)
	}

	s := &solver{pub: noopPublisher{}, opts: options{refreshBefore: 24 * time.Hour, now: func() time.Time { return now }}}

	for until, due := range map[time.Time]bool{now.Add(time.Hour): true, now.Add(48 * time.Hour): false, {}: false} {
		v := verdict(record.Evaluate([]string{value(until)}, record.Want{Issuers: want.Issuers, AccountURIs: want.AccountURIs}))
		if until.IsZero() {
			v = verdict(record.Evaluate([]string{"ca.example; accounturi=https://ca/acct/1"}, want))
		}

		if got := s.refreshDue(v); got != due {
			t.Errorf("persistUntil %v: refresh due %v, want %v", until, got, due)
		}
	}
}

type noopPublisher struct{}

func (noopPublisher) Publish(_ context.Context, _, _ string) error { return nil }

func TestWorstIsOKOnlyWhenEveryFindingIs(t *testing.T) {
	ok, missing, expired := Finding{Status: StatusOK}, Finding{Status: StatusMissing}, Finding{Status: StatusExpired}

	tests := []struct {
		in   []Finding
		want string
	}{
		{nil, ""},
		{[]Finding{ok}, StatusOK},
		{[]Finding{ok, ok}, StatusOK},
		{[]Finding{ok, missing, expired}, StatusMissing},
		{[]Finding{expired, ok}, StatusExpired},
	}

	for _, tt := range tests {
		if got := Worst(tt.in); got != tt.want {
			t.Errorf("Worst(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
