package dnsq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/miekg/dns"
)

// maxChain is the longest alias chain (CNAME and DNAME hops, in one answer
// and across queries) LookupTXT follows.
const maxChain = 8

// errChain marks alias chains that are too long or loop: a property of the
// data, not of one server, so asking another resolver does not help.
var errChain = errors.New("alias chain")

// Answer is one server's view of the TXT set at a name.
type Answer struct {
	// Server is the "host:port" asked.
	Server string
	// Name is where Values were found: the name asked, or the end of the
	// CNAME/DNAME chain starting there.
	Name string
	// Values holds one string per TXT RR: the RR's character-strings
	// concatenated (record.Join), as raw octets. Empty for NXDOMAIN and
	// NODATA, which are answers, not errors.
	Values []string
	// TTL is the smallest TTL among the TXT RRs and the aliases leading to
	// them; 0 when there are no values.
	TTL uint32
	// Err is this server's failure (timeout, SERVFAIL, REFUSED, not
	// authoritative ...), naming the server and the cause. Values is empty
	// when Err is set.
	Err error
}

// LookupTXT returns the TXT values at fqdn.
//
// In authoritative mode (Config.Authoritative) it finds the zone of fqdn and
// its nameservers through the resolvers, then asks every one of them directly
// and concurrently, without recursion: one Answer per server, so a server
// still serving old data shows up as such. In resolver mode it asks the
// resolvers in order and returns the first answer without error (one Answer).
//
// A CNAME (or DNAME) at the name is followed, up to 8 hops; in authoritative
// mode the servers of the target's own zone are asked for the target. The
// error is non-nil only when no server could answer at all (the Answers, if
// any, then say why each failed) or ctx ended.
func (c *Client) LookupTXT(ctx context.Context, fqdn string) ([]Answer, error) {
	name := dns.CanonicalName(fqdn)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return nil, fmt.Errorf("dnsq: TXT lookup of %q: not a domain name", fqdn)
	}

	if c.authoritative {
		return c.lookupAuthoritative(ctx, name, maxChain, 0)
	}

	return c.lookupResolvers(ctx, name, maxChain, 0)
}

// lookupResolvers asks the resolvers in order. budget is what is left of the
// alias chain; ttl the smallest alias TTL so far (0: none yet).
func (c *Client) lookupResolvers(ctx context.Context, name string, budget int, ttl uint32) ([]Answer, error) {
	var errs []error

	for _, s := range c.resolvers {
		a, next, used, err := c.askTXT(ctx, s, name, budget, ttl, true)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, errChain) {
				return nil, fmt.Errorf("dnsq: TXT lookup of %s: %w", name, err)
			}

			errs = append(errs, err)

			continue
		}

		if next != "" {
			return c.lookupResolvers(ctx, next, budget-used, minTTL(ttl, a.TTL))
		}

		return []Answer{a}, nil
	}

	return nil, fmt.Errorf("dnsq: TXT lookup of %s: no resolver answered: %w", name, errors.Join(errs...))
}

// lookupAuthoritative asks every authoritative server of name's zone.
func (c *Client) lookupAuthoritative(ctx context.Context, name string, budget int, ttl uint32) ([]Answer, error) {
	zone, err := c.FindZone(ctx, name)
	if err != nil {
		return nil, err
	}

	servers, err := c.Nameservers(ctx, zone)
	if err != nil {
		return nil, err
	}

	type result struct {
		answer Answer
		next   string
		used   int
	}

	results := make([]result, len(servers))

	var wg sync.WaitGroup

	for i, s := range servers {
		wg.Go(func() {
			a, next, used, _ := c.askTXT(ctx, s, name, budget, ttl, false)
			results[i] = result{answer: a, next: next, used: used}
		})
	}

	wg.Wait()

	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dnsq: TXT lookup of %s: %w", name, err)
	}

	var (
		out      []Answer
		followed = map[string]bool{}
	)

	for _, res := range results {
		if res.next == "" {
			out = append(out, res.answer)
			continue
		}

		// This server says name is an alias whose target lies outside its
		// answer: the target's own authoritative servers speak for it.
		// Servers agreeing on the target share one follow-up.
		if followed[res.next] {
			continue
		}

		followed[res.next] = true

		sub, err := c.lookupAuthoritative(ctx, res.next, budget-res.used, minTTL(ttl, res.answer.TTL))
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}

			if len(sub) == 0 {
				sub = []Answer{{Server: res.answer.Server, Name: name, Err: fmt.Errorf("following %s to %s: %w", name, res.next, err)}}
			}
		}

		out = append(out, sub...)
	}

	var errs []error

	for _, a := range out {
		if a.Err == nil {
			return out, nil
		}

		errs = append(errs, a.Err)
	}

	return out, fmt.Errorf("dnsq: TXT lookup of %s: no authoritative server of %s answered: %w", name, zone, errors.Join(errs...))
}

// askTXT asks one server for the TXT set at name. next is set when the
// answer ends in an alias whose target it does not cover; the caller asks
// again for next, with used hops less in the budget. In the returned Answer,
// TTL already includes ttl (the aliases seen before).
func (c *Client) askTXT(ctx context.Context, server, name string, budget int, ttl uint32, recursive bool) (a Answer, next string, used int, err error) {
	a = Answer{Server: server, Name: name}

	fail := func(err error) (Answer, string, int, error) {
		a.Err = err
		return a, "", 0, err
	}

	r, err := c.ask(ctx, server, name, dns.TypeTXT, recursive)
	if err != nil {
		return fail(err)
	}

	// An authority sets AA; without it the answer is a referral or a cache.
	if !recursive && !r.Authoritative {
		return fail(&NotAuthoritativeError{Server: server, Name: name})
	}

	ch, err := chase(r, name, dns.TypeTXT, budget)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", server, err))
	}

	a.Name = ch.final
	ttl = minTTL(ttl, ch.ttl)

	for _, rr := range ch.rrs {
		txt, ok := rr.(*dns.TXT)
		if !ok {
			continue
		}

		parts := make([]string, len(txt.Txt))
		for i, s := range txt.Txt {
			parts[i] = record.Unescape(s)
		}

		a.Values = append(a.Values, record.Join(parts))
		ttl = minTTL(ttl, txt.Hdr.Ttl)
	}

	if len(a.Values) > 0 {
		a.TTL = ttl
		return a, "", ch.hops, nil
	}

	// The chain moved on but the answer stops before the target's data
	// (typical of an authority whose alias points out of its zone): ask
	// about the target. NXDOMAIN already speaks for the end of the chain.
	if ch.final != name && r.Rcode == dns.RcodeSuccess {
		a.TTL = ttl
		return a, ch.final, ch.hops, nil
	}

	return a, "", ch.hops, nil
}

func minTTL(a, b uint32) uint32 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	default:
		return min(a, b)
	}
}

// chain is the result of following aliases through one answer.
type chain struct {
	final string   // where the chain ends (name itself when no alias)
	rrs   []dns.RR // the records of the asked type owned by final
	ttl   uint32   // smallest TTL of the aliases followed (0: none)
	hops  int      // aliases followed
}

// chase follows CNAME (RFC 1034 §3.6.2) and DNAME (RFC 6672 §2.2) records
// from name through the answer section of r and collects the class IN
// records of qtype at the end. Owner names compare case-insensitively. It
// fails when more than budget aliases are needed or the chain loops.
func chase(r *dns.Msg, name string, qtype uint16, budget int) (chain, error) {
	cur := dns.CanonicalName(name)
	ch := chain{final: cur}
	seen := map[string]bool{cur: true}

	for {
		for _, rr := range r.Answer {
			h := rr.Header()
			if h.Rrtype == qtype && h.Class == dns.ClassINET && sameName(h.Name, cur) {
				ch.rrs = append(ch.rrs, rr)
			}
		}

		if len(ch.rrs) > 0 {
			ch.final = cur
			return ch, nil
		}

		next, ttl := alias(r.Answer, cur)
		if next == "" {
			ch.final = cur
			return ch, nil
		}

		ch.hops++
		if ch.hops > budget {
			return ch, fmt.Errorf("%w from %s longer than %d hops", errChain, name, maxChain)
		}

		if seen[next] {
			return ch, fmt.Errorf("%w from %s loops at %s", errChain, name, next)
		}

		seen[next] = true
		ch.ttl = minTTL(ch.ttl, ttl)
		cur = next
	}
}

// alias returns where cur points to: a CNAME owned by cur, else the name
// a DNAME owned by an ancestor of cur substitutes (RFC 6672 §2.2).
func alias(answer []dns.RR, cur string) (string, uint32) {
	for _, rr := range answer {
		if cn, ok := rr.(*dns.CNAME); ok && sameName(cn.Hdr.Name, cur) {
			return dns.CanonicalName(cn.Target), cn.Hdr.Ttl
		}
	}

	for _, rr := range answer {
		dn, ok := rr.(*dns.DNAME)
		if !ok {
			continue
		}

		owner := dns.CanonicalName(dn.Hdr.Name)
		if owner == cur || !dns.IsSubDomain(owner, cur) {
			continue
		}

		prefix := strings.TrimSuffix(cur, owner)
		if owner == "." {
			prefix = cur
		}

		return prefix + dns.CanonicalName(dn.Target), dn.Hdr.Ttl
	}

	return "", 0
}
