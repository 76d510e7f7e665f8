package record

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Status is the outcome of Evaluate for one record name.
type Status string

// Statuses, from best to worst for a non-ok result.
const (
	// StatusOK: a record authorizes the request.
	StatusOK Status = "ok"
	// StatusExpired: a record for our issuer and account whose persistUntil
	// has passed.
	StatusExpired Status = "expired"
	// StatusNoWildcard: a record for our issuer and account without
	// policy=wildcard, while the authorization needs it.
	StatusNoWildcard Status = "no-wildcard-policy"
	// StatusWrongAccount: a record for our issuer names another accounturi.
	StatusWrongAccount Status = "wrong-account"
	// StatusMalformed: a record names our issuer but does not parse.
	StatusMalformed Status = "malformed"
	// StatusWrongIssuer: records exist, none names one of our issuers.
	StatusWrongIssuer Status = "wrong-issuer"
	// StatusMissing: no TXT record at all.
	StatusMissing Status = "missing"
)

// rank orders non-ok statuses by how close they are to ok (lower is closer).
func (s Status) rank() int {
	switch s {
	case StatusOK:
		return 0
	case StatusExpired:
		return 1
	case StatusNoWildcard:
		return 2
	case StatusWrongAccount:
		return 3
	case StatusMalformed:
		return 4
	case StatusWrongIssuer:
		return 5
	default:
		return 6
	}
}

// Want describes the record a CA will accept, as it decides (SPEC.md "How a
// CA decides").
type Want struct {
	// Issuers are the acceptable issuer-domain-names (normalized);
	// compared case-insensitively with a record's issuer.
	Issuers []string
	// AccountURIs are the acceptable accounturi values, compared exactly.
	AccountURIs []string
	// Wildcard requires policy=wildcard.
	Wildcard bool
	// At is the instant persistUntil is compared with: a record is usable
	// while At is not after its persistUntil. The zero At accepts every
	// persistUntil.
	At time.Time
}

// Verdict is Evaluate's result.
type Verdict struct {
	Status Status
	// Value is the record that authorizes (Status ok) or else the closest
	// candidate; zero when no TXT value parses as a candidate.
	Value Value
	// Raw is the text of that record ("" when there is none).
	Raw string
	// Reason explains a non-ok Status for people; "" for ok.
	Reason string
}

// Evaluate decides whether one of the TXT values found at a record name
// (each one RR's character-strings joined) authorizes want, as a CA would:
// a value counts when its issuer-domain-name is one of want.Issuers, it
// parses, its accounturi is one of want.AccountURIs, it carries
// policy=wildcard if want.Wildcard, and its persistUntil (if any) is not
// before want.At.
//
// The first value that counts gives StatusOK. Otherwise the verdict reports
// the most useful problem, in this order: expired, no-wildcard-policy,
// wrong-account, malformed, wrong-issuer, missing; among values with the
// same problem the first wins. Values for other issuers (other CAs) are
// never malformed, whatever their syntax: they only make the result
// wrong-issuer rather than missing.
func Evaluate(txts []string, want Want) Verdict {
	if len(txts) == 0 {
		return Verdict{Status: StatusMissing, Reason: "no TXT record at the name"}
	}

	best := Verdict{Status: StatusMissing}

	var foreign []string

	for _, raw := range txts {
		if !forIssuers(raw, want.Issuers) {
			foreign = append(foreign, raw)
			continue
		}

		v := judge(raw, want)
		if v.Status == StatusOK {
			return v
		}

		if v.Status.rank() < best.Status.rank() {
			best = v
		}
	}

	if best.Status != StatusMissing {
		return best
	}

	// Only records of other issuers.
	first := foreign[0]
	val, _ := Parse(first)

	return Verdict{
		Status: StatusWrongIssuer,
		Value:  val,
		Raw:    first,
		Reason: fmt.Sprintf("records name issuer %s; want %s", listIssuers(foreign), orList(want.Issuers)),
	}
}

// judge evaluates one value that names one of our issuers. The checks run in
// the order a CA applies them (account, policy, expiry), so a value gets the
// status of its first failing check.
func judge(raw string, want Want) Verdict {
	v, err := Parse(raw)
	if err != nil {
		return Verdict{Status: StatusMalformed, Raw: raw, Reason: err.Error()}
	}

	out := Verdict{Value: v, Raw: raw}

	switch {
	case !slices.Contains(want.Issuers, v.Issuer):
		// CAs compare the issuer-domain-name octet for octet (Pebble and
		// Boulder do), so a record that differs in case would not count.
		out.Status = StatusMalformed
		out.Value = Value{}
		out.Reason = fmt.Sprintf("issuer-domain-name %q must be written exactly as %s (lower case, no trailing dot)",
			v.Issuer, orList(want.Issuers))
	case !slices.Contains(want.AccountURIs, v.AccountURI):
		out.Status = StatusWrongAccount
		out.Reason = fmt.Sprintf("accounturi is %s, want %s", v.AccountURI, orList(want.AccountURIs))
	case want.Wildcard && !v.Wildcard:
		out.Status = StatusNoWildcard
		out.Reason = "the record has no policy=wildcard, which a wildcard authorization needs"
	case !v.PersistUntil.IsZero() && want.At.After(v.PersistUntil):
		out.Status = StatusExpired
		out.Reason = fmt.Sprintf("persistUntil=%d (%s) has passed", v.PersistUntil.Unix(),
			v.PersistUntil.UTC().Format(time.RFC3339))
	default:
		out.Status = StatusOK
	}

	return out
}

// issuerField returns the issuer-domain-name field of a record value as a CA
// would read it: the text before the first ';', without SP/HTAB.
func issuerField(raw string) string {
	issuer, _, _ := strings.Cut(raw, ";")
	return trimWSP(issuer)
}

// forIssuers reports whether raw is meant for one of issuers. Case is ignored, and
// so is a trailing dot, so that a record a person meant for this CA but
// wrote with "ca.example." is reported malformed instead of foreign.
func forIssuers(raw string, issuers []string) bool {
	got := strings.TrimSuffix(issuerField(raw), ".")
	if got == "" {
		return false
	}

	for _, want := range issuers {
		if strings.EqualFold(got, want) {
			return true
		}
	}

	return false
}

// listIssuers names the distinct issuer fields of raws, quoted, in order.
func listIssuers(raws []string) string {
	var names []string

	for _, r := range raws {
		q := strconv.Quote(issuerField(r))
		if !slices.Contains(names, q) {
			names = append(names, q)
		}
	}

	return strings.Join(names, ", ")
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return "(none configured)"
	case 1:
		return items[0]
	default:
		return "one of " + strings.Join(items, ", ")
	}
}
