// Package audit checks the _validation-persist records of domains the way a
// CA would decide on them (record.Evaluate), and adds what only the owner
// cares about: records whose persistUntil comes soon. The CLI's check and
// list commands share it.
package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
)

// Status of one domain's record.
type Status string

// Statuses. Every one but StatusOK is a finding.
const (
	StatusOK           Status = "ok"
	StatusMissing      Status = "missing"
	StatusWrongAccount Status = "wrong-account"
	StatusWrongIssuer  Status = "wrong-issuer"
	StatusNoWildcard   Status = "no-wildcard-policy"
	StatusExpired      Status = "expired"
	StatusMalformed    Status = "malformed"
	// StatusExpiring is a usable record whose persistUntil falls within the
	// warning window.
	StatusExpiring Status = "expiring"
	// StatusError means the record could not be looked up.
	StatusError Status = "error"
)

// Lookuper looks up TXT records; *dnsq.Client implements it.
type Lookuper interface {
	LookupTXT(ctx context.Context, fqdn string) ([]dnsq.Answer, error)
}

// Auditor checks records. Its fields are read-only once checks run.
type Auditor struct {
	// DNS answers the TXT lookups (authoritative servers or resolvers).
	DNS Lookuper
	// Issuers are the CA's issuer-domain-names a record may name.
	Issuers []string
	// AccountURIs returns the accounturi values that authorize this
	// account for a domain (normalized, without "*.").
	AccountURIs func(domain string) ([]string, error)
	// WarnWithin flags usable records whose persistUntil is closer than
	// this (0: never).
	WarnWithin time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Parallel bounds concurrent lookups in CheckAll (1 when < 1).
	Parallel int
}

// Result is the audit of one domain.
type Result struct {
	// Domain is the name audited, normalized ("*.example.com" stays so).
	Domain string `json:"domain"`
	// Name is the record name, with trailing dot.
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Value is the record that authorizes, or the closest candidate.
	Value string `json:"value,omitempty"`
	// PersistUntil of Value, when it has one.
	PersistUntil *time.Time `json:"persistUntil,omitempty"`
	// Server is the server whose answer decided a non-ok status.
	Server string `json:"server,omitempty"`
	// Reason explains a non-ok status.
	Reason string `json:"reason,omitempty"`
}

// OK reports whether the record needs no attention.
func (r Result) OK() bool { return r.Status == StatusOK }

func (a *Auditor) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}

	return time.Now()
}

// Check audits one domain. Every server's answer must authorize: a server
// still serving old data is a finding, named in Result.Server.
func (a *Auditor) Check(ctx context.Context, domain string) Result {
	res := Result{Domain: domain}

	norm, err := record.NormalizeDomain(domain)
	if err != nil {
		res.Status, res.Reason = StatusError, err.Error()
		return res
	}

	res.Domain = norm

	res.Name, err = record.RecordName(norm)
	if err != nil {
		res.Status, res.Reason = StatusError, err.Error()
		return res
	}

	if len(a.Issuers) == 0 {
		res.Status, res.Reason = StatusError, "no issuer-domain-names known for this CA"
		return res
	}

	uris, err := a.AccountURIs(strings.TrimPrefix(norm, "*."))
	if err != nil {
		res.Status, res.Reason = StatusError, err.Error()
		return res
	}

	answers, err := a.DNS.LookupTXT(ctx, res.Name)
	if err != nil {
		res.Status, res.Reason = StatusError, fmt.Sprintf("TXT lookup: %v", err)
		return res
	}

	if len(answers) == 0 {
		res.Status, res.Reason = StatusError, "TXT lookup: no server answered"
		return res
	}

	now := a.now()
	want := record.Want{
		Issuers:     a.Issuers,
		AccountURIs: uris,
		Wildcard:    strings.HasPrefix(norm, "*."),
		At:          now,
	}

	decided := false

	for _, ans := range answers {
		if ans.Err != nil {
			return Result{Domain: norm, Name: res.Name, Status: StatusError, Server: ans.Server,
				Reason: fmt.Sprintf("TXT lookup: %v", ans.Err)}
		}

		v := record.Evaluate(ans.Values, want)
		r := Result{Domain: norm, Name: res.Name, Status: Status(v.Status), Value: v.Raw, Server: ans.Server, Reason: v.Reason}

		if !v.Value.PersistUntil.IsZero() {
			t := v.Value.PersistUntil
			r.PersistUntil = &t
		}

		if r.Status == StatusOK {
			if r.PersistUntil != nil && a.WarnWithin > 0 && r.PersistUntil.Sub(now) < a.WarnWithin {
				r.Status = StatusExpiring
				r.Reason = fmt.Sprintf("persistUntil %s is within %s: publish a record with a later persistUntil (or none)",
					r.PersistUntil.UTC().Format(time.RFC3339), a.WarnWithin)
			} else {
				r.Server = ""
			}
		}

		if !decided || severity(r.Status) > severity(res.Status) {
			res, decided = r, true
		}
	}

	return res
}

// CheckAll audits domains, at most Parallel at a time, and returns the
// results in the order of domains.
func (a *Auditor) CheckAll(ctx context.Context, domains []string) []Result {
	results := make([]Result, len(domains))

	n := a.Parallel
	if n < 1 {
		n = 1
	}

	sem := make(chan struct{}, n)

	var wg sync.WaitGroup

	for i, d := range domains {
		wg.Add(1)

		sem <- struct{}{}

		go func() {
			defer wg.Done()
			defer func() { <-sem }()

			results[i] = a.Check(ctx, d)
		}()
	}

	wg.Wait()

	return results
}

// severity orders statuses for picking the answer that decides: ok, then
// expiring, then every real finding.
func severity(s Status) int {
	switch s {
	case StatusOK:
		return 0
	case StatusExpiring:
		return 1
	default:
		return 2
	}
}

// Worst is the status a group of results is summed up by: ok only when all
// are ok, else the first finding.
func Worst(results []Result) Status {
	for _, r := range results {
		if !r.OK() {
			return r.Status
		}
	}

	if len(results) == 0 {
		return ""
	}

	return StatusOK
}
