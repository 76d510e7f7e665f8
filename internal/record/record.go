package record

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Label is the label prepended to the validated FQDN to form the record name.
const Label = "_validation-persist"

// Tags this package understands. RFC 8659 §4.2: tags compare
// case-insensitively; the canonical spellings below are the ones String
// writes.
const (
	tagAccountURI   = "accounturi"
	tagPolicy       = "policy"
	tagPersistUntil = "persistUntil"

	policyWildcard = "wildcard"
)

// ErrMalformed is wrapped by every error Parse returns. The wrapping error
// names the reason.
var ErrMalformed = errors.New("malformed dns-persist-01 record")

// Value is one parsed dns-persist-01 record value: an RFC 8659 issue-value
// with the parameters dns-persist-01 defines.
//
// For every Value v returned by Parse, Parse(v.String()) returns a Value
// equal to v (==).
type Value struct {
	// Issuer is the issuer-domain-name exactly as written, without the
	// surrounding whitespace.
	Issuer string
	// AccountURI is the accounturi parameter: the ACME account URL (draft-00
	// and -01) or the hashed form (draft-02, see HashAccountURI).
	AccountURI string
	// Wildcard reports policy=wildcard (tag and value case-insensitive). Any
	// other policy value means no policy.
	Wildcard bool
	// PersistUntil is the persistUntil parameter in UTC with second
	// precision; the zero Time when the parameter is absent.
	PersistUntil time.Time
}

// String builds the canonical record value:
//
//	<issuer>; accounturi=<uri>[; policy=wildcard][; persistUntil=<unix seconds>]
//
// String does not validate v: a Value with an empty or invalid field yields a
// string that Parse rejects. PersistUntil is written as whole Unix seconds
// (fractions are dropped); a PersistUntil before 1970 yields a value Parse
// rejects.
func (v Value) String() string {
	var b strings.Builder

	b.Grow(len(v.Issuer) + len(v.AccountURI) + 64)
	b.WriteString(v.Issuer)
	b.WriteString("; " + tagAccountURI + "=")
	b.WriteString(v.AccountURI)

	if v.Wildcard {
		b.WriteString("; " + tagPolicy + "=" + policyWildcard)
	}

	if !v.PersistUntil.IsZero() {
		b.WriteString("; " + tagPersistUntil + "=")
		b.WriteString(strconv.FormatInt(v.PersistUntil.Unix(), 10))
	}

	return b.String()
}

// Parse parses one record value (the character-strings of one TXT RR already
// joined, see Join) strictly by the RFC 8659 §4.2 issue-value grammar with
// the dns-persist-01 rules:
//
//   - whitespace around ';' and '=' and at either end is SP or HTAB only;
//   - the issuer-domain-name is mandatory and a domain name of RFC 8659
//     labels (letters, digits, inner hyphens; at most 63 octets each, 253 in
//     all, no trailing dot);
//   - tags are RFC 8659 tags and compare case-insensitively; a tag may occur
//     once; unknown tags are accepted and ignored;
//   - every parameter is tag=value; an empty parameter or a trailing ';' is
//     malformed;
//   - values consist of %x21-3A / %x3C-7E only (no space, control or
//     non-ASCII octet);
//   - accounturi is mandatory and non-empty;
//   - persistUntil, when present, is a non-negative base-10 integer of Unix
//     seconds (at most 9223372036854775807 - 62135596800, the limit of
//     time.Time).
//
// Every error wraps ErrMalformed and states the reason.
func Parse(s string) (Value, error) {
	issuer, rest, hasParams := strings.Cut(s, ";")

	issuer = trimWSP(issuer)
	if err := checkIssuerSyntax(issuer); err != nil {
		return Value{}, malformed("issuer-domain-name: %v", err)
	}

	v := Value{Issuer: issuer}
	if !hasParams {
		return Value{}, malformed("missing mandatory accounturi parameter")
	}

	seen := make(map[string]bool, 4)
	hasAccount := false

	params := strings.Split(rest, ";")
	for i, p := range params {
		p = trimWSP(p)
		if p == "" {
			if i == len(params)-1 {
				return Value{}, malformed("trailing ';'")
			}

			return Value{}, malformed("empty parameter %d", i+1)
		}

		tag, val, ok := strings.Cut(p, "=")
		if !ok {
			return Value{}, malformed("parameter %q has no '='", p)
		}

		tag, val = trimWSP(tag), trimWSP(val)
		if tag == "" {
			return Value{}, malformed("parameter %q has an empty tag", p)
		}

		if !isLDHLabel(tag) {
			return Value{}, malformed("tag %q: only letters, digits and inner hyphens are allowed (RFC 8659)", tag)
		}

		key := strings.ToLower(tag)
		if seen[key] {
			return Value{}, malformed("duplicate tag %q", tag)
		}

		seen[key] = true

		if err := checkParamValue(val); err != nil {
			return Value{}, malformed("value %q of %s: %v", val, tag, err)
		}

		switch key {
		case strings.ToLower(tagAccountURI):
			if val == "" {
				return Value{}, malformed("empty accounturi")
			}

			v.AccountURI = val
			hasAccount = true
		case strings.ToLower(tagPolicy):
			// Any value but "wildcard" means "no policy" (draft-ietf-acme-dns-persist).
			v.Wildcard = strings.EqualFold(val, policyWildcard)
		case strings.ToLower(tagPersistUntil):
			t, err := parseUnixSeconds(val)
			if err != nil {
				return Value{}, malformed("persistUntil %q: %v", val, err)
			}

			v.PersistUntil = t
		}
	}

	if !hasAccount {
		return Value{}, malformed("missing mandatory accounturi parameter")
	}

	return v, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// trimWSP trims RFC 8659 WSP (SP and HTAB) from both ends of s.
func trimWSP(s string) string {
	return strings.Trim(s, " \t")
}

// checkIssuerSyntax enforces the RFC 8659 §4.2 issuer-domain-name rule
// (label *("." label)) plus DNS length limits, and says what is wrong.
func checkIssuerSyntax(s string) error {
	if s == "" {
		return errors.New("missing")
	}

	if len(s) > maxNameLen {
		return fmt.Errorf("%d octets, longer than %d", len(s), maxNameLen)
	}

	if strings.HasSuffix(s, ".") {
		return fmt.Errorf("%q ends with a dot; write the name without it", s)
	}

	if i := strings.IndexFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }); i >= 0 {
		return fmt.Errorf("%q contains whitespace", s)
	}

	for label := range strings.SplitSeq(s, ".") {
		if label == "" {
			return fmt.Errorf("%q has an empty label", s)
		}

		if len(label) > maxLabelLen {
			return fmt.Errorf("%q has a label longer than %d octets", s, maxLabelLen)
		}

		if !isLDHLabel(label) {
			return fmt.Errorf("%q: label %q is not letters, digits and inner hyphens", s, label)
		}
	}

	return nil
}

// isLDHLabel reports whether s matches the RFC 8659 §4.2 label (and tag)
// rule: (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT) ).
func isLDHLabel(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}

	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' {
			return false
		}
	}

	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// checkParamValue enforces the RFC 8659 §4.2 value rule:
// *(%x21-3A / %x3C-7E).
func checkParamValue(s string) error {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			return fmt.Errorf("whitespace at offset %d", i)
		case c < 0x21 || c == 0x7f:
			return fmt.Errorf("control character 0x%02x at offset %d", c, i)
		case c > 0x7f:
			return fmt.Errorf("non-ASCII octet 0x%02x at offset %d", c, i)
		}
	}

	return nil
}

// parseUnixSeconds parses a non-negative base-10 integer (digits only, no
// sign) of Unix seconds.
// maxUnixSeconds is the largest Unix time time.Time can compare correctly:
// beyond it the internal representation (seconds since year 1) overflows.
const maxUnixSeconds = math.MaxInt64 - 62135596800

func parseUnixSeconds(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("empty; want Unix seconds")
	}

	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, errors.New("not a non-negative base-10 integer of Unix seconds")
		}
	}

	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxUnixSeconds {
		return time.Time{}, errors.New("too large")
	}

	return time.Unix(n, 0).UTC(), nil
}
