// Package record is the single place that knows the syntax of a
// dns-persist-01 TXT record: its name (_validation-persist.<FQDN>), its value
// (an RFC 8659 issue-value with accounturi, policy and persistUntil), how a
// long value is split into RFC 1035 character-strings, how it is written as a
// zone-file line, how the draft-02 hashed accounturi is computed, and how a
// set of TXT values found at a record name is judged against what a CA will
// accept.
//
// The IETF draft (draft-ietf-acme-dns-persist) is still moving. Every
// difference between draft versions that concerns the record itself belongs
// in this package and nowhere else; the rest of the project builds, parses
// and matches values only through this API. Differences in the ACME objects
// (challenge fields, directory meta) live in internal/draft, which calls in
// here for the record.
//
// The package does no DNS and no ACME: it works on strings and is safe for
// concurrent use.
package record
