package persist

import (
	"context"
	"time"

	"github.com/go-acme/lego/v4/lego"
	"github.com/lego-persist/lego-persist/internal/audit"
)

// checkParallel bounds concurrent record lookups of Check.
const checkParallel = 8

// Statuses of a Finding. Every one but StatusOK is a finding.
const (
	StatusOK           = string(audit.StatusOK)
	StatusMissing      = string(audit.StatusMissing)
	StatusWrongAccount = string(audit.StatusWrongAccount)
	StatusWrongIssuer  = string(audit.StatusWrongIssuer)
	StatusNoWildcard   = string(audit.StatusNoWildcard)
	StatusExpired      = string(audit.StatusExpired)
	StatusExpiring     = string(audit.StatusExpiring)
	StatusMalformed    = string(audit.StatusMalformed)
	// StatusCADependent: only records one CA implementation accepts and the
	// other refuses (Pebble compares the issuer exactly, Boulder normalizes
	// it; Pebble refuses a repeated unknown tag): publish a canonical one.
	StatusCADependent = string(audit.StatusCADependent)
	// StatusError: the record could not be looked up.
	StatusError = string(audit.StatusError)
)

// Finding is the audit of one domain's record, judged exactly as the CA
// will judge it (every server must serve a valid record).
type Finding struct {
	// Domain is the name audited, normalized ("*." kept).
	Domain string `json:"domain"`
	// Name is the record name, with trailing dot.
	Name string `json:"name"`
	// Status is one of the Status constants: ok, missing, wrong-account,
	// wrong-issuer, no-wildcard-policy, expired, expiring, malformed,
	// ca-dependent, error.
	Status string `json:"status"`
	// Value is the record that authorizes, or the closest candidate.
	Value string `json:"value,omitempty"`
	// PersistUntil of Value, when it has one.
	PersistUntil *time.Time `json:"persistUntil,omitempty"`
	// Server is the server whose answer decided a non-ok status.
	Server string `json:"server,omitempty"`
	// Reason explains a non-ok status.
	Reason string `json:"reason,omitempty"`
	// Note is advice on an ok record (made with an earlier account key).
	Note string `json:"note,omitempty"`
	// Draft is the draft the CA speaks.
	Draft string `json:"draft"`
	// Records describes every value at the name: whose it is and which CA
	// and draft it serves.
	Records []RecordInfo `json:"records,omitempty"`
	// Publish is the zone-file line of the record that fixes the finding;
	// "" for ok, for lookup errors, and when the account is not valid.
	Publish string `json:"publish,omitempty"`
}

// OK reports whether the record needs no attention.
func (f Finding) OK() bool { return f.Status == StatusOK }

// Worst sums findings up, as check's exit code does: StatusOK only when all
// are ok, else the first finding's status ("" for no findings).
func Worst(findings []Finding) string {
	for _, f := range findings {
		if !f.OK() {
			return f.Status
		}
	}

	if len(findings) == 0 {
		return ""
	}

	return StatusOK
}

// RecordInfo describes one TXT value found at a record name.
type RecordInfo struct {
	// Value is the TXT value (the RR's strings joined).
	Value string `json:"value"`
	// Issuer is the value's issuer-domain-name field.
	Issuer string `json:"issuer,omitempty"`
	// Class is this-ca, prior-key, other-draft, other-account, other-ca or
	// malformed.
	Class string `json:"class"`
	// Draft and Form say which draft's CAs accept the value for this
	// account, in which accounturi form ("" when it is not this account's).
	Draft string `json:"draft,omitempty"`
	Form  string `json:"form,omitempty"`
	// Status is how this CA judges the value alone.
	Status string `json:"status"`
	// Serves says for people which CA and draft the value serves.
	Serves string `json:"serves"`
}

// Check audits the published records of domains at cfg's CA, with the
// verdicts of `lego-persist check`, in the order of domains: each record
// name is asked of every authoritative server (or the resolvers, with
// WithAuthoritativeCheck(false)), and every value found is judged as
// Pebble and Boulder judge it. It costs one directory GET, DNS queries,
// and, when a finding needs a record, the pre-publication account check.
// WithWarnWithin flags records whose persistUntil comes soon.
//
// The error is non-nil only when nothing could be audited (no directory,
// no account, bad options); a domain that could not be looked up is a
// Finding with StatusError.
func Check(ctx context.Context, cfg *lego.Config, domains []string, opts ...Option) ([]Finding, error) {
	st, err := loadCA(ctx, cfg, opts)
	if err != nil {
		return nil, err
	}

	dns, err := st.o.dnsClient()
	if err != nil {
		return nil, err
	}

	a := &audit.Auditor{
		DNS:     dns,
		Issuers: st.issuers,
		Meta:    st.meta,
		Account: st.acct,
		Publish: func(domain string) (string, error) {
			recs, err := st.records([]string{domain})
			if err != nil {
				return "", err
			}

			if err := st.proof.prove(ctx); err != nil {
				return "", err
			}

			return recs[0].ZoneLine, nil
		},
		WarnWithin: st.o.warnWithin,
		Now:        st.o.now,
		Parallel:   checkParallel,
	}

	results := a.CheckAll(ctx, domains)

	out := make([]Finding, len(results))
	for i, r := range results {
		out[i] = findingOf(r)
	}

	return out, nil
}

func findingOf(r audit.Result) Finding {
	f := Finding{
		Domain:       r.Domain,
		Name:         r.Name,
		Status:       string(r.Status),
		Value:        r.Value,
		PersistUntil: r.PersistUntil,
		Server:       r.Server,
		Reason:       r.Reason,
		Note:         r.Note,
		Draft:        r.Draft,
		Publish:      r.Publish,
	}

	for _, rec := range r.Records {
		f.Records = append(f.Records, RecordInfo{
			Value: rec.Value, Issuer: rec.Issuer, Class: string(rec.Class),
			Draft: rec.Draft, Form: rec.Form, Status: string(rec.Status), Serves: rec.Serves,
		})
	}

	return f
}
