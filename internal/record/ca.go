package record

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// This file is the model of the two CA implementations whose decision
// lego-persist must reproduce. Both receive each TXT character-string
// through miekg/dns, i.e. in RFC 1035 presentation form (CAForm), join the
// strings of one RR without separator and then apply their own rules:
//
//   - Pebble v2.10.3, va/va.go: splitIssuerDomainName,
//     parseDNSPersistIssueValues and validateDNSPersist01;
//   - Boulder, va/dns_persist.go: parseDNSPersistRecord,
//     checkDNSPersistRecord and validateDNSPersist01, with
//     core.NormalizeIssuerDomainName.
//
// The rules are re-derived from reading that code, not copied. They agree
// but in two places, which Evaluate reports as StatusCADependent:
//
//   - the issuer-domain-name: Pebble compares it exactly with the
//     challenge's issuer-domain-names; Boulder normalizes it first (lower
//     case, IDNA lookup mapping to A-labels, trailing dot dropped);
//   - a repeated unknown tag: Pebble refuses every repeated tag, Boulder
//     only repeated accounturi, policy and persistUntil.

// ca names a CA implementation.
type ca string

const (
	pebble  ca = "Pebble"
	boulder ca = "Boulder"
)

// cas are the implementations Evaluate consults, production first.
var cas = [...]ca{boulder, pebble}

// judgement is one CA's decision on one TXT value.
type judgement struct {
	// skip: the CA ignores the value, it names another issuer.
	skip   bool
	status Status // StatusOK or why the value does not authorize
	reason string
	value  Value // the parsed value (zero when it does not parse)
}

// parsed is a value as parseParams reads it.
type parsed struct {
	Value

	// hasPersistUntil tells persistUntil=<n> from no persistUntil: the
	// instant of n may be the zero time.Time (n = -62135596800).
	hasPersistUntil bool
}

// judgeAs decides on one TXT value in CA form (CAForm of the raw octets) as
// c does: the value's issuer must be one of want.Issuers (else skip), it
// must parse (else malformed), then accounturi, policy and persistUntil are
// checked in this order (wrong-account, no-wildcard-policy, expired), as
// both CAs check them.
func judgeAs(c ca, p string, want Want) judgement {
	// Pebble splitIssuerDomainName / Boulder parseDNSPersistRecord: the
	// issuer is the text before the first ';', without SP and HTAB; an
	// empty one is never this CA's.
	parts := strings.Split(p, ";")

	issuer := trimWSP(parts[0])
	if issuer == "" {
		return judgement{skip: true}
	}

	if c == boulder {
		n, err := normalizeIssuer(issuer)
		if err != nil {
			// Boulder: a name that does not normalize is nobody's.
			return judgement{skip: true}
		}

		issuer = n
	}

	if !slices.Contains(want.Issuers, issuer) {
		return judgement{skip: true}
	}

	v, err := parseParams(c, parts[1:])
	if err != nil {
		return judgement{status: StatusMalformed, reason: err.Error()}
	}

	v.Issuer = issuer

	// Pebble keeps persistUntil as a pointer; Boulder treats the zero
	// time.Time as "no persistUntil".
	expires := v.hasPersistUntil
	if c == boulder {
		expires = !v.PersistUntil.IsZero()
	}

	// Pebble validateDNSPersist01 / Boulder checkDNSPersistRecord.
	j := judgement{status: StatusOK, value: v.Value}

	switch {
	case !slices.Contains(want.AccountURIs, v.AccountURI):
		// RFC 3986 §6.2.1 simple string comparison: no case folding.
		j.status = StatusWrongAccount
		j.reason = fmt.Sprintf("accounturi is %s, want %s", v.AccountURI, orList(want.AccountURIs))
	case want.Wildcard && !v.Wildcard:
		j.status = StatusNoWildcard
		j.reason = "the record has no policy=wildcard, which a wildcard authorization needs"
	case expires && !want.At.IsZero() && want.At.After(v.PersistUntil):
		j.status = StatusExpired
		j.reason = fmt.Sprintf("persistUntil=%d (%s) has passed", v.PersistUntil.Unix(),
			v.PersistUntil.UTC().Format(time.RFC3339))
	}

	return j
}

// normalizeIssuer is Boulder's core.NormalizeIssuerDomainName on the CA
// form of a value: lower case, IDNA lookup mapping to A-labels, without a
// trailing dot, at most 253 octets. (Boulder also applies Unicode NFC, the
// identity on the ASCII-only CA form.)
func normalizeIssuer(name string) (string, error) {
	ascii, err := idna.Lookup.ToASCII(strings.ToLower(name))
	if err != nil {
		return "", err
	}

	ascii = strings.TrimSuffix(ascii, ".")
	if len(ascii) > maxNameLen {
		return "", fmt.Errorf("%d octets, longer than %d", len(ascii), maxNameLen)
	}

	return ascii, nil
}

// parseParams parses the parameters (the parts after the issuer) as c does.
// Both CAs: each part is trimmed of SP/HTAB and must be tag=value with a
// non-empty tag (an empty part, a trailing ';' or a part without '=' is
// malformed); the tag may hold any octet but '=' and ';' (they check no
// tag syntax); every value, also of unknown tags, is %x21-3A / %x3C-7E;
// tags compare case-insensitively; unknown tags are ignored; accounturi is
// mandatory and non-empty; policy=wildcard (case-insensitive) is the only
// policy, any other value means none; persistUntil is a signed base-10
// int64 (strconv.ParseInt: "+5" is 5, "-1" a time long past) taken as Unix
// seconds by time.Unix. They differ in which repeated tags are malformed:
// every one for Pebble, only the known ones for Boulder.
func parseParams(c ca, params []string) (parsed, error) {
	var v parsed

	seen := make(map[string]bool, len(params))
	hasAccount := false

	for i, param := range params {
		param = trimWSP(param)
		if param == "" {
			if i == len(params)-1 {
				return parsed{}, malformed("trailing ';' or empty last parameter")
			}

			return parsed{}, malformed("empty parameter %d", i+1)
		}

		tag, val, ok := strings.Cut(param, "=")
		if !ok {
			return parsed{}, malformed("parameter %q is not tag=value", param)
		}

		tag, val = trimWSP(tag), trimWSP(val)
		if tag == "" {
			return parsed{}, malformed("parameter %q has an empty tag", param)
		}

		key := strings.ToLower(tag)
		known := key == "accounturi" || key == "policy" || key == "persistuntil"

		if seen[key] && (known || c == pebble) {
			return parsed{}, malformed("tag %q occurs twice", tag)
		}

		seen[key] = true

		if err := checkParamValue(val); err != nil {
			return parsed{}, malformed("value %q of tag %q: %v", val, tag, err)
		}

		switch key {
		case "accounturi":
			if val == "" {
				return parsed{}, malformed("empty accounturi")
			}

			v.AccountURI = val
			hasAccount = true
		case "policy":
			v.Wildcard = strings.EqualFold(val, policyWildcard)
		case "persistuntil":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return parsed{}, malformed("persistUntil %q is not a base-10 64-bit integer of Unix seconds", val)
			}

			v.PersistUntil = time.Unix(n, 0).UTC()
			v.hasPersistUntil = true
		}
	}

	if !hasAccount {
		return parsed{}, malformed("missing mandatory accounturi parameter")
	}

	return v, nil
}

// checkParamValue enforces the RFC 8659 §4.2 value rule both CAs apply to
// every value: *(%x21-3A / %x3C-7E). The CA form has no octet outside
// printable ASCII, so the rule refuses only SP and HTAB inside a value.
func checkParamValue(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == ';' {
			return fmt.Errorf("octet 0x%02x at offset %d is not allowed in a value", c, i)
		}
	}

	return nil
}
