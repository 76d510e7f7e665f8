package record

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// DNS length limits in presentation form without the trailing dot
// (RFC 1035 §2.3.4: 63-octet labels, 255-octet wire names).
const (
	maxLabelLen = 63
	maxNameLen  = 253
)

// Issuer list limits of the challenge.
const (
	minIssuers = 1
	maxIssuers = 10
)

const wildcardPrefix = "*."

// NormalizeDomain turns a domain name as a user or an ACME identifier writes
// it into lowercase A-labels (UTS #46 lookup mapping, IDNA2008 A-labels via
// golang.org/x/net/idna) without a trailing dot. A leading "*." wildcard
// label is kept; '*' anywhere else is rejected.
//
// It fails for an empty name, an empty label, a label over 63 octets, a
// name over 253 octets, or characters a host name cannot hold (spaces,
// underscores, ...).
func NormalizeDomain(name string) (string, error) {
	if name == "" {
		return "", errors.New("empty domain name")
	}

	prefix, rest := "", name
	if strings.HasPrefix(rest, wildcardPrefix) {
		prefix, rest = wildcardPrefix, rest[len(wildcardPrefix):]
	}

	if strings.Contains(rest, "*") {
		return "", fmt.Errorf("domain %q: '*' is only allowed as the whole leftmost label", name)
	}

	// One trailing dot (the root) is accepted and dropped.
	rest = strings.TrimSuffix(rest, ".")
	if rest == "" {
		return "", fmt.Errorf("domain %q: no labels", name)
	}

	if i := strings.IndexFunc(rest, func(r rune) bool { return r == ' ' || r == '\t' }); i >= 0 {
		return "", fmt.Errorf("domain %q: contains whitespace", name)
	}

	ascii, err := idna.Lookup.ToASCII(rest)
	if err != nil {
		return "", fmt.Errorf("domain %q: not a valid internationalized domain name: %w", name, err)
	}

	// The lookup profile maps full stops like U+3002 to '.', so check the
	// labels after conversion.
	if err := checkLDHName(ascii); err != nil {
		return "", fmt.Errorf("domain %q: %w", name, err)
	}

	out := prefix + ascii
	if len(out) > maxNameLen {
		return "", fmt.Errorf("domain %q: %d octets as A-labels, longer than %d", name, len(out), maxNameLen)
	}

	return out, nil
}

// RecordName returns the dns-persist-01 record name for domain, fully
// qualified with a trailing dot: Label + "." + the normalized domain without
// a leading "*." label. "*.Example.COM" gives
// "_validation-persist.example.com.".
func RecordName(domain string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}

	d = strings.TrimPrefix(d, wildcardPrefix)

	name := Label + "." + d
	if len(name) > maxNameLen {
		return "", fmt.Errorf("domain %q: record name %s is %d octets, longer than %d", domain, name, len(name), maxNameLen)
	}

	return name + ".", nil
}

// ValidateIssuerDomainName checks one issuer-domain-name as a CA sends it in
// a challenge or directory: non-empty, at most 253 octets, and
// already normalized, that is lowercase A-labels of letters, digits and inner
// hyphens separated by single dots, without a trailing dot. It does not
// normalize: "CA.example", "ca.example." and U-labels are errors.
func ValidateIssuerDomainName(name string) error {
	if name == "" {
		return errors.New("empty issuer-domain-name")
	}

	if len(name) > maxNameLen {
		return fmt.Errorf("issuer-domain-name of %d octets, longer than %d", len(name), maxNameLen)
	}

	if strings.HasSuffix(name, ".") {
		return fmt.Errorf("issuer-domain-name %q has a trailing dot", name)
	}

	if !utf8.ValidString(name) || strings.IndexFunc(name, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		return fmt.Errorf("issuer-domain-name %q is not ASCII; want A-labels (xn--...)", name)
	}

	if strings.ToLower(name) != name {
		return fmt.Errorf("issuer-domain-name %q has upper-case letters; want lowercase", name)
	}

	if err := checkLDHName(name); err != nil {
		return fmt.Errorf("issuer-domain-name %q: %w", name, err)
	}

	// xn-- labels must be valid punycode of a valid U-label; the lookup
	// conversion of a normalized name is the identity.
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		return fmt.Errorf("issuer-domain-name %q: %w", name, err)
	}

	if ascii != name {
		return fmt.Errorf("issuer-domain-name %q is not normalized (normalized: %q)", name, ascii)
	}

	return nil
}

// ValidateIssuerDomainNames checks a challenge's or directory's list of
// issuer-domain-names: 1 to 10 entries, each valid for
// ValidateIssuerDomainName, no entry twice. The error names the offending
// entry by index.
func ValidateIssuerDomainNames(names []string) error {
	if len(names) < minIssuers {
		return errors.New("issuer-domain-names is empty; a CA must offer at least one")
	}

	if len(names) > maxIssuers {
		return fmt.Errorf("issuer-domain-names has %d entries; at most %d are allowed", len(names), maxIssuers)
	}

	seen := make(map[string]int, len(names))

	for i, n := range names {
		if err := ValidateIssuerDomainName(n); err != nil {
			return fmt.Errorf("issuer-domain-names[%d]: %w", i, err)
		}

		if j, dup := seen[n]; dup {
			return fmt.Errorf("issuer-domain-names[%d]: %q repeats entry %d", i, n, j)
		}

		seen[n] = i
	}

	return nil
}

// checkLDHName checks a lowercase ASCII name without trailing dot: labels of
// 1 to 63 octets of a-z, 0-9 and inner hyphens (RFC 1123 §2.1 host names).
func checkLDHName(name string) error {
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return errors.New("empty label")
		}

		if len(label) > maxLabelLen {
			return fmt.Errorf("label %q is %d octets, longer than %d", label, len(label), maxLabelLen)
		}

		for i := 0; i < len(label); i++ {
			c := label[i]
			if !isLowerLDH(c) {
				return fmt.Errorf("label %q: character %q is not allowed (letters, digits and hyphens only)", label, c)
			}
		}

		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("label %q starts or ends with a hyphen", label)
		}
	}

	return nil
}

func isLowerLDH(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-'
}
