package record

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Label is the label prepended to the validated FQDN to form the record name.
const Label = "_validation-persist"

// Tags this package writes (String). RFC 8659 §4.2: tags compare
// case-insensitively; these are the canonical spellings.
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
// For every Value v returned by Parse whose fields are Canonical,
// Parse(v.String()) returns a Value equal to v (==).
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
// string that Parse rejects (see Canonical). PersistUntil is written as
// plain decimal Unix seconds (fractions are dropped).
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

// Parse parses one record value (the character-strings of one TXT RR
// joined, see Join) by the rules the CAs apply (see ca.go): the value is
// read in CA form (CAForm: octets outside printable ASCII, '"' and '\'
// escaped as miekg/dns presents them), the issuer-domain-name is the
// non-empty text before the first ';' without surrounding SP/HTAB, and the
// parameters follow the stricter of Pebble's and Boulder's rules (a tag
// may occur once, whether known or not). Unknown tags are ignored;
// persistUntil is a signed 64-bit integer of Unix seconds.
//
// Value fields are in CA form. Parse does not check that the issuer is a
// valid domain name: a CA simply never matches such a record (Evaluate).
// Every error wraps ErrMalformed and states the reason.
func Parse(raw string) (Value, error) {
	parts := strings.Split(CAForm(raw), ";")

	issuer := trimWSP(parts[0])
	if issuer == "" {
		return Value{}, malformed("missing issuer-domain-name")
	}

	v, err := parseParams(pebble, parts[1:])
	if err != nil {
		return Value{}, err
	}

	v.Issuer = issuer

	return v.Value, nil
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// trimWSP trims RFC 8659 WSP (SP and HTAB) from both ends of s.
func trimWSP(s string) string {
	return strings.Trim(s, " \t")
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Canonical reports whether String(v) is a record both CAs read exactly as
// v (SPEC.md "Canonical output"): a normalized issuer-domain-name (lower
// case A-labels, no trailing dot), an accounturi of printable ASCII without
// ';', '"' and '\' (which the CAs would see escaped), and a persistUntil
// that is absent or not before 1970 (written as plain digits). The error
// says which field is not canonical.
func Canonical(v Value) error {
	if err := ValidateIssuerDomainName(v.Issuer); err != nil {
		return err
	}

	if v.AccountURI == "" {
		return errors.New("empty accounturi")
	}

	for i := 0; i < len(v.AccountURI); i++ {
		if c := v.AccountURI[i]; c < 0x21 || c > 0x7e || c == ';' || c == '"' || c == '\\' {
			return fmt.Errorf("accounturi %q: octet 0x%02x at offset %d is not canonical", v.AccountURI, c, i)
		}
	}

	if !v.PersistUntil.IsZero() && v.PersistUntil.Unix() < 0 {
		return fmt.Errorf("persistUntil %d is before 1970", v.PersistUntil.Unix())
	}

	return nil
}
