package audit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
)

// fakeDNS answers from a map: record name -> one Answer per server.
type fakeDNS map[string][]dnsq.Answer

func (f fakeDNS) LookupTXT(_ context.Context, fqdn string) ([]dnsq.Answer, error) {
	a, ok := f[fqdn]
	if !ok {
		return nil, errors.New("no server answered")
	}

	return a, nil
}

const (
	issuer = "ca.example"
	acct   = "https://ca.example/acct/1"
	other  = "https://ca.example/acct/2"
	name   = "_validation-persist.example.com."
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func value(uri string, wildcard bool, until time.Time) string {
	return record.Value{Issuer: issuer, AccountURI: uri, Wildcard: wildcard, PersistUntil: until}.String()
}

func servers(values ...[]string) []dnsq.Answer {
	out := make([]dnsq.Answer, 0, len(values))
	for i, v := range values {
		out = append(out, dnsq.Answer{Server: []string{"ns1:53", "ns2:53"}[i], Name: name, Values: v})
	}

	return out
}

func TestCheckReportsTheRecordStatus(t *testing.T) {
	tests := []struct {
		name       string
		domain     string
		answers    []dnsq.Answer
		want       Status
		wantServer string
	}{
		{"our record", "example.com", servers([]string{value(acct, false, time.Time{})}), StatusOK, ""},
		{"our record among others", "example.com", servers([]string{"other.ca; accounturi=x", value(acct, false, time.Time{})}), StatusOK, ""},
		{"no record", "example.com", servers(nil), StatusMissing, "ns1:53"},
		{"another account's record", "example.com", servers([]string{value(other, false, time.Time{})}), StatusWrongAccount, "ns1:53"},
		{"another CA's record", "example.com", servers([]string{"other.ca; accounturi=" + acct}), StatusWrongIssuer, "ns1:53"},
		{"wildcard name without policy", "*.example.com", servers([]string{value(acct, false, time.Time{})}), StatusNoWildcard, "ns1:53"},
		{"wildcard name with policy", "*.example.com", servers([]string{value(acct, true, time.Time{})}), StatusOK, ""},
		{"persistUntil passed", "example.com", servers([]string{value(acct, false, now.Add(-time.Hour))}), StatusExpired, "ns1:53"},
		{"persistUntil within warning", "example.com", servers([]string{value(acct, false, now.Add(10*24*time.Hour))}), StatusExpiring, "ns1:53"},
		{"persistUntil beyond warning", "example.com", servers([]string{value(acct, false, now.Add(90*24*time.Hour))}), StatusOK, ""},
		{"one server still without the record", "example.com", servers([]string{value(acct, false, time.Time{})}, nil), StatusMissing, "ns2:53"},
		{"a server fails", "example.com", []dnsq.Answer{{Server: "ns1:53", Err: errors.New("timeout")}}, StatusError, "ns1:53"},
		{"lookup fails", "other.example", nil, StatusError, ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Auditor{
				DNS:         fakeDNS{name: tt.answers},
				Issuers:     []string{issuer},
				AccountURIs: func(string) ([]string, error) { return []string{acct}, nil },
				WarnWithin:  30 * 24 * time.Hour,
				Now:         func() time.Time { return now },
			}

			got := a.Check(context.Background(), tt.domain)
			if got.Status != tt.want || got.Server != tt.wantServer {
				t.Errorf("Check(%s) = %s at %q (%s), want %s at %q", tt.domain, got.Status, got.Server, got.Reason, tt.want, tt.wantServer)
			}

			if got.OK() != (tt.want == StatusOK) {
				t.Errorf("OK() = %v for status %s", got.OK(), got.Status)
			}
		})
	}
}

func TestCheckAllKeepsTheOrderOfDomains(t *testing.T) {
	a := &Auditor{
		DNS:         fakeDNS{name: servers([]string{value(acct, true, time.Time{})})},
		Issuers:     []string{issuer},
		AccountURIs: func(string) ([]string, error) { return []string{acct}, nil },
		Parallel:    3,
	}

	domains := []string{"example.com", "nope.example", "*.example.com", "Example.COM"}
	got := a.CheckAll(context.Background(), domains)

	want := []struct {
		domain string
		status Status
	}{{"example.com", StatusOK}, {"nope.example", StatusError}, {"*.example.com", StatusOK}, {"example.com", StatusOK}}

	for i, w := range want {
		if got[i].Domain != w.domain || got[i].Status != w.status {
			t.Errorf("result %d = %s %s, want %s %s", i, got[i].Domain, got[i].Status, w.domain, w.status)
		}
	}
}

func TestCheckWithoutIssuersIsAnError(t *testing.T) {
	a := &Auditor{DNS: fakeDNS{}, AccountURIs: func(string) ([]string, error) { return []string{acct}, nil }}
	if got := a.Check(context.Background(), "example.com"); got.Status != StatusError {
		t.Errorf("status = %s, want error", got.Status)
	}
}
