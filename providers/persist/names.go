package persist

import "github.com/lego-persist/lego-persist/internal/record"

// NormalizeDomain turns a domain as a user writes it into the form records
// and certificates use: lowercase A-labels (IDNA lookup mapping) without a
// trailing dot, a leading "*." kept. It fails for names a certificate
// cannot hold (empty labels, spaces, underscores, over 253 octets).
func NormalizeDomain(name string) (string, error) { return record.NormalizeDomain(name) }

// RecordName is the dns-persist-01 record name of a domain:
// "_validation-persist.<domain>." with a leading "*." removed.
func RecordName(domain string) (string, error) { return record.RecordName(domain) }

// ValidateIssuerDomainName checks an issuer-domain-name as
// WithIssuerDomainName needs it: lowercase A-labels, no trailing dot, at
// most 253 octets.
func ValidateIssuerDomainName(name string) error { return record.ValidateIssuerDomainName(name) }
