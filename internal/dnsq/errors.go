package dnsq

import (
	"fmt"

	"github.com/miekg/dns"
)

// RcodeError is a server's answer with a response code that means it could
// not (or would not) answer: SERVFAIL, REFUSED, NOTIMP, FORMERR ...
// NXDOMAIN is not an RcodeError: it is an answer.
type RcodeError struct {
	Server string // "host:port" that answered
	Name   string // the name asked
	Qtype  uint16
	Rcode  int
}

func (e *RcodeError) Error() string {
	return fmt.Sprintf("%s answered %s for %s %s", e.Server, RcodeName(e.Rcode), e.Name, dns.TypeToString[e.Qtype])
}

// NotAuthoritativeError is an answer without the AA bit from a server asked
// as an authority: it is lame for the zone (a referral, or a cached copy).
type NotAuthoritativeError struct {
	Server string
	Name   string
}

func (e *NotAuthoritativeError) Error() string {
	return fmt.Sprintf("%s is not authoritative for %s (answer without AA bit: lame delegation?)", e.Server, e.Name)
}

// RcodeName is the mnemonic of an RCODE (RFC 1035 §4.1.1, RFC 6895 §2.3):
// "REFUSED", "NOTAUTH", ...; "RCODE<n>" for one without a name.
func RcodeName(rcode int) string {
	if s, ok := dns.RcodeToString[rcode]; ok {
		return s
	}

	return fmt.Sprintf("RCODE%d", rcode)
}
