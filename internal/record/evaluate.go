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
	// StatusCADependent: a record one CA implementation accepts and the
	// other refuses (Pebble compares the issuer exactly, Boulder
	// normalizes it; Pebble refuses a repeated unknown tag, Boulder
	// ignores it). A client cannot know which rules its CA applies, so
	// the record is unusable and a canonical one is published beside it.
	StatusCADependent Status = "ca-dependent"
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
	case StatusCADependent:
		return 3
	case StatusWrongAccount:
		return 4
	case StatusMalformed:
		return 5
	case StatusWrongIssuer:
		return 6
	default:
		return 7
	}
}

// Want describes the record a CA will accept, as it decides (SPEC.md "How a
// CA decides").
type Want struct {
	// Issuers are the issuer-domain-names the CA offers (normalized, as
	// ValidateIssuerDomainNames accepts them). Pebble compares a record's
	// issuer with them exactly, Boulder after normalizing it.
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
// (each one RR's character-strings joined, raw octets) authorizes want,
// exactly as the CAs decide (ca.go): each value is read in CA form and
// judged by Pebble's and by Boulder's rules. A value counts only when both
// accept it; a value one accepts and the other refuses is
// StatusCADependent, unusable because a client cannot know which rules the
// CA it talks to applies.
//
// The first value that counts gives StatusOK. Otherwise the verdict reports
// the most useful problem, in this order: expired, no-wildcard-policy,
// ca-dependent, wrong-account, malformed, wrong-issuer, missing; among
// values with the same problem the first wins. Values both CAs ignore
// (other issuers, whatever their syntax) only make the result wrong-issuer
// rather than missing.
func Evaluate(txts []string, want Want) Verdict {
	if len(txts) == 0 {
		return Verdict{Status: StatusMissing, Reason: "no TXT record at the name"}
	}

	best := Verdict{Status: StatusMissing}

	var foreign []string

	for _, raw := range txts {
		v, skipped := judge(raw, want)
		if skipped {
			foreign = append(foreign, raw)
			continue
		}

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

// judge combines the CAs' judgements of one value; skipped reports that
// every CA ignores it (it names another issuer).
func judge(raw string, want Want) (v Verdict, skipped bool) {
	p := CAForm(raw)

	var js [len(cas)]judgement
	for i, c := range cas {
		js[i] = judgeAs(c, p, want)
	}

	b, pb := js[0], js[1] // Boulder, Pebble

	switch {
	case b.skip && pb.skip:
		return Verdict{}, true
	case b.status == StatusOK && pb.status == StatusOK && !b.skip && !pb.skip:
		return Verdict{Status: StatusOK, Value: b.value, Raw: raw}, false
	case accepts(b) != accepts(pb):
		return Verdict{
			Status: StatusCADependent,
			Value:  firstValue(b, pb),
			Raw:    raw,
			Reason: disagreement(p, raw, b, pb),
		}, false
	}

	// Both refuse it. Boulder is the production CA; take its reason when
	// it looked at the value.
	j := b
	if b.skip {
		j = pb
	}

	reason := j.reason
	if p != raw {
		reason += fmt.Sprintf(" (the CA reads the value as %q)", p)
	}

	return Verdict{Status: j.status, Value: j.value, Raw: raw, Reason: reason}, false
}

func accepts(j judgement) bool { return !j.skip && j.status == StatusOK }

func firstValue(js ...judgement) Value {
	for _, j := range js {
		if j.value != (Value{}) {
			return j.value
		}
	}

	return Value{}
}

// disagreement explains a value one CA accepts and the other refuses.
func disagreement(p, raw string, b, pb judgement) string {
	yes, no, noJ := boulder, pebble, pb
	if accepts(pb) {
		yes, no, noJ = pebble, boulder, b
	}

	why := noJ.reason
	if noJ.skip {
		if no == pebble {
			why = fmt.Sprintf("Pebble compares the issuer-domain-name %q exactly; write it in lower case without a trailing dot", issuerField(p))
		} else {
			why = fmt.Sprintf("Boulder does not take %q for one of its issuer-domain-names", issuerField(p))
		}
	}

	msg := fmt.Sprintf("%s accepts this record but %s refuses it (%s); a canonical record is needed beside it", yes, no, why)
	if p != raw {
		msg += fmt.Sprintf(" (the CA reads the value as %q)", p)
	}

	return msg
}

// issuerField returns the issuer-domain-name field of a record value as a CA
// would read it: the text before the first ';', without SP/HTAB.
func issuerField(raw string) string {
	issuer, _, _ := strings.Cut(raw, ";")
	return trimWSP(issuer)
}

// listIssuers names the distinct issuer fields of raws, quoted, in order.
func listIssuers(raws []string) string {
	var names []string

	for _, r := range raws {
		q := strconv.Quote(issuerField(CAForm(r)))
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

// Names reports whether the TXT value raw names one of issuers and one of
// accountURIs, however it is written otherwise (issuer case, a trailing
// dot, unknown or repeated tags, an expired persistUntil): the test of
// "is this value ours" for removing it, not of whether a CA accepts it.
func Names(raw string, issuers, accountURIs []string) bool {
	p := CAForm(raw)
	parts := strings.Split(p, ";")

	issuer, err := normalizeIssuer(trimWSP(parts[0]))
	if err != nil || !slices.Contains(issuers, issuer) {
		return false
	}

	// Boulder's rules ignore a repeated unknown tag; either CA's accounturi
	// is the same.
	v, err := parseParams(boulder, parts[1:])

	return err == nil && slices.Contains(accountURIs, v.AccountURI)
}
