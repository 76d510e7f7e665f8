// Package audit checks the _validation-persist records of domains the way a
// CA would decide on them (record.Evaluate), and adds what only the owner
// cares about: records whose persistUntil comes soon, which CA and draft each
// value at the name serves, and draft-02 values made with an earlier account
// key. The CLI's check and list commands share it.
package audit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

// Status of one domain's record: record's verdicts plus the audit's own.
type Status = record.Status

// Statuses. Every one but StatusOK is a finding.
const (
	StatusOK           = record.StatusOK
	StatusMissing      = record.StatusMissing
	StatusWrongAccount = record.StatusWrongAccount
	StatusWrongIssuer  = record.StatusWrongIssuer
	StatusNoWildcard   = record.StatusNoWildcard
	StatusExpired      = record.StatusExpired
	StatusMalformed    = record.StatusMalformed
	// StatusCADependent: only records one CA implementation accepts and
	// the other refuses (see record.StatusCADependent).
	StatusCADependent = record.StatusCADependent
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
	// account for a domain (normalized, without "*."). When nil, they are
	// draft.AccountURIs of Meta and Account.
	AccountURIs func(domain string) ([]string, error)
	// Meta is what the CA's directory says: the draft it speaks
	// (Result.Draft) and its accountHashPrefix.
	Meta draft.Meta
	// Account is the account audited. With its URL (and, for hashed
	// values, its key's thumbprint) Check tells this account's values in
	// other drafts' forms and values made with an earlier key apart from
	// other accounts' (Result.Records).
	Account draft.Account
	// Publish, when set, returns the zone-file line of the record to
	// publish for a domain (normalized, "*." kept); Check puts it in
	// Result.Publish of every finding that a new record fixes.
	Publish func(domain string) (string, error)
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
	// Draft is the draft the CA speaks, as its directory announces it
	// ("draft-02" with meta.accountHashPrefix, else "draft-01": draft-00
	// and draft-01 CAs accept the same records).
	Draft string `json:"draft"`
	// Note is advice on an ok record: it was made with an earlier account
	// key (still accepted until the account is deactivated; republishing
	// with the current key is recommended).
	Note string `json:"note,omitempty"`
	// Records describes every value at the name, as Server (or the first
	// server) answered: whose it is and which CA and draft it serves.
	Records []RecordInfo `json:"records,omitempty"`
	// Publish is the zone-file line of the record that fixes a finding
	// (see Auditor.Publish); "" for ok and when not known.
	Publish string `json:"publish,omitempty"`
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
	res := a.check(ctx, domain)
	res.Draft = a.Meta.Version().String()

	return res
}

func (a *Auditor) accountURIs(domain string) ([]string, error) {
	if a.AccountURIs != nil {
		return a.AccountURIs(domain)
	}

	return draft.AccountURIs(a.Meta.Version(), a.Meta, a.Account, domain)
}

func (a *Auditor) check(ctx context.Context, domain string) Result {
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

	base := strings.TrimPrefix(norm, "*.")

	uris, err := a.accountURIs(base)
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

	var (
		decided bool
		values  []string // the values of the answer that decided
	)

	for _, ans := range answers {
		if ans.Err != nil {
			return Result{Domain: norm, Name: res.Name, Status: StatusError, Server: ans.Server,
				Reason: fmt.Sprintf("TXT lookup: %v", ans.Err)}
		}

		v := record.Evaluate(ans.Values, want)
		r := Result{Domain: norm, Name: res.Name, Status: v.Status, Value: v.Raw, Server: ans.Server, Reason: v.Reason}

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
			res, values, decided = r, ans.Values, true
		}
	}

	cl := &classifier{meta: a.Meta, acct: a.Account, domain: base, want: want}
	for _, raw := range values {
		res.Records = append(res.Records, cl.classify(raw))
	}

	a.explain(&res)

	return res
}

// explain refines a wrong-account finding with what the records say (this
// account's record in another draft's form), notes an ok record made with
// an earlier key, and adds the record to publish to every finding a new
// record fixes.
func (a *Auditor) explain(res *Result) {
	if res.OK() {
		for _, r := range res.Records {
			if r.Class == ClassPriorKey && r.Value == res.Value {
				res.Note = "made with an earlier account key: the CA accepts it until the account is deactivated; republish it with the current key (lego-persist record prints it)"
			}
		}
	}

	if res.Status == StatusWrongAccount {
		for _, r := range res.Records {
			if r.Class == ClassOtherDraft {
				res.Value = r.Value
				res.Reason = fmt.Sprintf("this account's record is in the %s form, which serves %s; this %s CA needs its own form",
					r.Draft, strings.TrimSuffix(r.Serves, fmt.Sprintf(", not this %s CA", a.Meta.Version())), a.Meta.Version())

				break
			}
		}
	}

	switch res.Status {
	case StatusOK, StatusError:
		return
	}

	if a.Publish == nil {
		return
	}

	line, err := a.Publish(res.Domain)
	if err != nil {
		res.Reason += "; no record to publish: " + err.Error()
		return
	}

	res.Publish = line
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
