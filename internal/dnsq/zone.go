package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// FindZone returns the zone (its apex, lowercase, with a trailing dot) that
// holds fqdn. It asks the resolvers for the SOA of fqdn, then of each parent,
// until one answer shows the zone: an SOA owned by the name asked, or the SOA
// that a negative answer (NXDOMAIN or NODATA) carries in its authority section
// (RFC 2308 §3), whose owner is the zone. A name that is an alias (CNAME) is
// never a zone apex. It fails when a resolver level cannot be asked or no
// zone is found below the root.
func (c *Client) FindZone(ctx context.Context, fqdn string) (string, error) {
	name := dns.CanonicalName(fqdn)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return "", fmt.Errorf("dnsq: finding the zone of %q: not a domain name", fqdn)
	}

	for _, off := range dns.Split(name) {
		candidate := name[off:]

		r, _, err := c.askResolvers(ctx, candidate, dns.TypeSOA)
		if err != nil {
			return "", fmt.Errorf("dnsq: finding the zone of %s: %w", name, err)
		}

		if zone, ok := zoneFromSOA(r, candidate); ok {
			return zone, nil
		}
	}

	return "", fmt.Errorf("dnsq: finding the zone of %s: no SOA for it or any parent (is the domain registered and delegated?)", name)
}

// zoneFromSOA reads the zone out of an answer to "qname SOA", if it shows one.
func zoneFromSOA(r *dns.Msg, qname string) (string, bool) {
	for _, rr := range r.Answer {
		switch rr.Header().Rrtype {
		case dns.TypeCNAME, dns.TypeDNAME:
			// qname is (or is under) an alias: not an apex, and any SOA in
			// the message belongs to the alias target's zone.
			return "", false
		}
	}

	for _, rr := range r.Answer {
		if soa, ok := rr.(*dns.SOA); ok && sameName(soa.Hdr.Name, qname) {
			return dns.CanonicalName(soa.Hdr.Name), true
		}
	}

	// RFC 2308 §2.1 (NXDOMAIN) and §2.2 (NODATA): the authority section holds
	// the SOA of the zone the name would live in.
	if r.Rcode == dns.RcodeNameError || (r.Rcode == dns.RcodeSuccess && len(r.Answer) == 0) {
		for _, rr := range r.Ns {
			if soa, ok := rr.(*dns.SOA); ok && dns.IsSubDomain(dns.CanonicalName(soa.Hdr.Name), qname) {
				return dns.CanonicalName(soa.Hdr.Name), true
			}
		}
	}

	return "", false
}

// Nameservers returns the addresses of zone's authoritative servers as
// sorted, deduplicated "ip:port" strings (port 53 unless
// Config.NameserverPort says otherwise). The NS records and each NS host's A
// and AAAA records come from the resolvers. A host without addresses is
// skipped; a lookup that fails outright is an error, so a check never
// silently leaves out a server it could not find.
func (c *Client) Nameservers(ctx context.Context, zone string) ([]string, error) {
	z := dns.CanonicalName(zone)

	r, server, err := c.askResolvers(ctx, z, dns.TypeNS)
	if err != nil {
		return nil, fmt.Errorf("dnsq: nameservers of %s: %w", z, err)
	}

	ch, err := chase(r, z, dns.TypeNS, maxChain)
	if err != nil {
		return nil, fmt.Errorf("dnsq: nameservers of %s (from %s): %w", z, server, err)
	}

	var hosts []string

	for _, rr := range ch.rrs {
		if ns, ok := rr.(*dns.NS); ok {
			hosts = append(hosts, dns.CanonicalName(ns.Ns))
		}
	}

	slices.Sort(hosts)
	hosts = slices.Compact(hosts)

	if len(hosts) == 0 {
		return nil, fmt.Errorf("dnsq: %s has no NS records at %s (is it a zone apex? use FindZone)", server, z)
	}

	var (
		addrs []string
		errs  []error
	)

	for _, host := range hosts {
		for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
			ar, _, err := c.askResolvers(ctx, host, qtype)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("dnsq: nameservers of %s: %w", z, err)
				}

				errs = append(errs, err)

				continue
			}

			ach, err := chase(ar, host, qtype, maxChain)
			if err != nil {
				errs = append(errs, fmt.Errorf("address of %s: %w", host, err))
				continue
			}

			for _, rr := range ach.rrs {
				switch a := rr.(type) {
				case *dns.A:
					addrs = append(addrs, net.JoinHostPort(a.A.String(), c.nsPort))
				case *dns.AAAA:
					addrs = append(addrs, net.JoinHostPort(a.AAAA.String(), c.nsPort))
				}
			}
		}
	}

	if len(errs) > 0 {
		return nil, fmt.Errorf("dnsq: nameservers of %s: %w", z, errors.Join(errs...))
	}

	if len(addrs) == 0 {
		return nil, fmt.Errorf("dnsq: nameservers of %s: no address for %s", z, strings.Join(hosts, ", "))
	}

	slices.Sort(addrs)

	return slices.Compact(addrs), nil
}

func sameName(a, b string) bool {
	return strings.EqualFold(dns.Fqdn(a), dns.Fqdn(b))
}
