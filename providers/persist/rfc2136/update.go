package rfc2136

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/bodgit/tsig"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/miekg/dns"
)

// Publish adds one TXT RR holding value (split into 255-octet
// character-strings) to the TXT set at fqdn, in one UPDATE message:
// RFC 2136 §2.5.1 "Add To An RRset". It never deletes: other values at fqdn
// stay, and adding a value that is already there changes nothing (§3.4.2.2).
//
// The update carries the prerequisite "no CNAME at fqdn" (§2.4.3): a server
// silently ignores a TXT added at an alias (§3.4.2.2), so without it an
// update to a delegated name would report success while publishing
// nothing. With it the server answers YXRRSET, and Publish fails saying so.
func (d *DNSProvider) Publish(ctx context.Context, fqdn, value string) error {
	return d.update(ctx, "publish", fqdn, value, func(m *dns.Msg, rr dns.RR) {
		m.RRsetNotUsed([]dns.RR{&dns.CNAME{Hdr: dns.RR_Header{Name: rr.Header().Name, Rrtype: dns.TypeCNAME, Class: dns.ClassINET}}})
		m.Insert([]dns.RR{rr})
	})
}

// Unpublish deletes exactly the TXT RR holding value at fqdn: RFC 2136
// §2.5.4 "Delete An RR From An RRset" (class NONE, TTL 0). Other values stay;
// deleting a value that is not there is not an error.
func (d *DNSProvider) Unpublish(ctx context.Context, fqdn, value string) error {
	return d.update(ctx, "unpublish", fqdn, value, func(m *dns.Msg, rr dns.RR) { m.Remove([]dns.RR{rr}) })
}

func (d *DNSProvider) update(ctx context.Context, action, fqdn, value string, add func(*dns.Msg, dns.RR)) error {
	name := dns.CanonicalName(fqdn)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return fmt.Errorf("rfc2136: %s %q: not a domain name", action, fqdn)
	}

	if value == "" {
		return fmt.Errorf("rfc2136: %s %s: empty record value", action, name)
	}

	zone, err := d.zoneFor(ctx, name)
	if err != nil {
		return fmt.Errorf("rfc2136: %s %s: %w", action, name, err)
	}

	rr := &dns.TXT{
		Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: d.ttl},
		Txt: txtStrings(value),
	}

	m := new(dns.Msg)
	m.SetUpdate(zone) // zone section: zone SOA IN (RFC 2136 §2.3)
	add(m, rr)

	if err := d.send(ctx, m); err != nil {
		return fmt.Errorf("rfc2136: %s %s (zone %s) at %s: %w", action, name, zone, d.nameserver, err)
	}

	return nil
}

// txtStrings splits value into character-strings of at most 255 octets in
// presentation form (record.CAForm), which miekg/dns reads back into the
// raw octets when it packs TXT data.
func txtStrings(value string) []string {
	parts := record.Split(value)
	for i, p := range parts {
		parts[i] = record.CAForm(p)
	}

	return parts
}

// zoneFor picks the zone to update: Config.Zone, else the longest of
// Config.Zones holding name, else the zone the nameserver reports by SOA.
func (d *DNSProvider) zoneFor(ctx context.Context, name string) (string, error) {
	if d.zone != "" {
		if !dns.IsSubDomain(d.zone, name) {
			return "", fmt.Errorf("name is not in the configured zone %s", d.zone)
		}

		return d.zone, nil
	}

	if len(d.zones) > 0 {
		for _, z := range d.zones {
			if dns.IsSubDomain(z, name) {
				return z, nil
			}
		}

		return "", fmt.Errorf("no zone of %s (%s) holds the name", EnvZones, strings.Join(d.zones, ","))
	}

	zone, err := d.finder.FindZone(ctx, name)
	if err != nil {
		return "", fmt.Errorf("%w (set %s to skip the SOA lookup)", err, EnvZones)
	}

	return zone, nil
}

// send signs m (when a key is configured), sends it over UDP, repeats it over
// TCP when the answer is truncated, and turns every kind of failure into an
// error that names the server and the cause.
func (d *DNSProvider) send(ctx context.Context, m *dns.Msg) error {
	c := &dns.Client{Timeout: d.timeout}

	switch {
	case d.gss != nil:
		// RFC 3645 §3: negotiate a context (TKEY over TCP), sign with it.
		c.Net = "tcp"

		sess, err := d.gss.negotiate(c, d.nameserver)
		if err != nil {
			return err
		}
		defer sess.Close()

		m.SetTsig(sess.keyName, tsig.GSS, tsigFudge, time.Now().Unix())
	case d.key != "":
		c.TsigSecret = map[string]string{d.key: d.secret}
		m.SetTsig(d.key, d.algorithm, tsigFudge, time.Now().Unix())
	}

	// RFC 1035 §4.2.1: a UDP message is at most 512 octets (a request
	// carries no EDNS0 here); a larger update (long values) goes over TCP.
	network := "udp"
	if m.Len() > dns.MinMsgSize || c.Net == "tcp" {
		network = "tcp"
	}

	r, verifyErr, err := d.exchange(ctx, c, m, network)
	if err == nil && r.Truncated && network == "udp" {
		r, verifyErr, err = d.exchange(ctx, c, m, "tcp")
	}

	if err != nil {
		return err
	}

	return d.judge(m, r, verifyErr)
}

// exchange is one attempt. verifyErr is miekg/dns's verdict on the answer's
// TSIG (RFC 8945 §5.3), kept apart because a rejected request comes back with
// an unsigned TSIG error that the caller must still read.
func (d *DNSProvider) exchange(ctx context.Context, base *dns.Client, m *dns.Msg, network string) (r *dns.Msg, verifyErr, err error) {
	c := *base
	c.Net = network

	r, err = dnsq.ExchangeOnce(ctx, &c, m, d.nameserver, d.timeout)
	if err != nil {
		if r != nil && r.Id == m.Id && r.Response && isTSIGFailure(err) {
			return r, err, nil
		}

		return nil, nil, d.transportError(ctx, network, err)
	}

	return r, nil, nil
}

func isTSIGFailure(err error) bool {
	return errors.Is(err, dns.ErrSig) || errors.Is(err, dns.ErrAuth) || errors.Is(err, dns.ErrSecret) || errors.Is(err, dns.ErrTime) ||
		errors.Is(err, dns.ErrKeyAlg) || errors.Is(err, dns.ErrAlg)
}

func (d *DNSProvider) transportError(ctx context.Context, network string, err error) error {
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ctx.Err()
	}

	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		return fmt.Errorf("no answer over %s within %s (raise %s if the server is slow): %w",
			network, d.timeout, EnvDNSTimeout, os.ErrDeadlineExceeded)
	}

	return fmt.Errorf("talking to the server over %s: %w", network, err)
}

// judge reads the server's answer to the update.
func (d *DNSProvider) judge(m, r *dns.Msg, verifyErr error) error {
	if !r.Response || len(r.Question) > 0 && !sameZone(r.Question[0], m.Question[0]) ||
		r.Opcode != dns.OpcodeUpdate && r.Rcode == dns.RcodeSuccess {
		return errors.New("the answer does not belong to this update (another opcode or zone)")
	}

	t := r.IsTsig()

	// RFC 8945 §5.2: the server could not accept the signature; its TSIG
	// error says why (the answer to BADSIG and BADKEY is unsigned).
	if t != nil && t.Error != dns.RcodeSuccess {
		return tsigRejected(d.nameserver, t.Error)
	}

	// RFC 8945 §5.3.1: the success of a signed update is believed only when
	// the answer carries a signature that verifies. (A failure needs no
	// trust: nothing was published either way, and miekg/dns does not
	// verify NOTAUTH answers at all.)
	if d.signed() && r.Rcode == dns.RcodeSuccess {
		if t == nil {
			return errors.New("the answer is not TSIG-signed, so its success cannot be trusted")
		}

		if verifyErr != nil {
			return fmt.Errorf("the answer's TSIG signature does not verify (%w): it may be forged, or the server uses another secret for %s; check %s",
				verifyErr, strings.TrimSuffix(d.key, "."), EnvTSIGSecret)
		}
	}

	if r.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("server answered %s: %w", dnsq.RcodeName(r.Rcode), &RcodeError{Rcode: r.Rcode, Zone: m.Question[0].Name})
	}

	return nil
}

// signed reports whether updates carry a TSIG (HMAC or GSS-TSIG).
func (d *DNSProvider) signed() bool { return d.key != "" || d.gss != nil }

func sameZone(a, b dns.Question) bool {
	return strings.EqualFold(a.Name, b.Name) && a.Qtype == b.Qtype
}

// tsigRejected explains a TSIG error code (RFC 8945 §5.2, §5.3).
func tsigRejected(server string, code uint16) error {
	name := map[uint16]string{
		dns.RcodeBadSig:   "BADSIG",
		dns.RcodeBadKey:   "BADKEY",
		dns.RcodeBadTime:  "BADTIME",
		dns.RcodeBadTrunc: "BADTRUNC",
	}[code]
	if name == "" {
		name = fmt.Sprintf("TSIG error %d", code)
	}

	hint := fmt.Sprintf("check %s/%s", EnvTSIGKey, EnvTSIGSecret)

	switch code {
	case dns.RcodeBadKey:
		hint = fmt.Sprintf("the server does not know this key name or algorithm; check %s/%s", EnvTSIGKey, EnvTSIGAlgorithm)
	case dns.RcodeBadTime:
		hint = "this machine's clock and the server's differ by more than 5 minutes; fix the clock"
	case dns.RcodeBadSig:
		hint = fmt.Sprintf("check %s/%s (and %s)", EnvTSIGKey, EnvTSIGSecret, EnvTSIGAlgorithm)
	}

	return &TSIGError{Server: server, Code: code, text: fmt.Sprintf("TSIG rejected by %s (%s): %s", server, name, hint)}
}

// TSIGError is a server refusing the update's signature.
type TSIGError struct {
	Server string
	Code   uint16 // dns.RcodeBadSig, dns.RcodeBadKey, dns.RcodeBadTime ...
	text   string
}

func (e *TSIGError) Error() string { return e.text }

// RcodeError is the server's response code for an update it did not apply.
type RcodeError struct {
	Rcode int
	Zone  string // the zone the update was sent for
}

func (e *RcodeError) Error() string {
	switch e.Rcode {
	case dns.RcodeNotAuth:
		return "the server is not authoritative for the zone, or the key may not update it (check the server's allow-update/update-policy)"
	case dns.RcodeRefused:
		// A policy answer: running again changes nothing until the server's
		// configuration does.
		return fmt.Sprintf("this server refuses updates for %s: allow this key (or this address) to update the name"+
			" (BIND: allow-update/update-policy), or point %s at the zone's primary", e.Zone, EnvNameserver)
	case dns.RcodeNotZone:
		return "the name is not in the zone sent; set " + EnvZones + " to the right zone"
	case dns.RcodeServerFailure:
		return "the server failed to apply the update; see its logs"
	case dns.RcodeNotImplemented:
		return "the server does not implement dynamic update"
	case dns.RcodeYXRrset:
		return "the name is a CNAME (an alias), where a TXT record cannot be added: publish at the CNAME's target" +
			" (lego-persist does so itself unless LEGO_DISABLE_CNAME_SUPPORT=true)"
	default:
		return "the update was not applied"
	}
}
