package dnsq

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size advertised in EDNS0 (RFC 6891 §6.2.5).
const ednsSize = 4096

// Exchange sends the one-question query m to server ("host:port") and returns
// the server's answer, whatever its rcode. It asks over UDP with EDNS0
// (4096-octet payload) and repeats the question over TCP when the UDP answer
// is truncated (RFC 7766 §5). Each attempt carries a fresh random ID, waits at
// most Config.Timeout, and stops as soon as ctx is done.
//
// An answer is accepted only when it is a response to the question asked:
// a different ID is ignored (UDP) or refused (TCP) by miekg/dns, and an answer
// naming another question is an error. m itself is not modified.
func (c *Client) Exchange(ctx context.Context, m *dns.Msg, server string) (*dns.Msg, error) {
	if len(m.Question) != 1 {
		return nil, fmt.Errorf("dnsq: a query needs exactly one question, got %d", len(m.Question))
	}

	q := m.Copy()

	hadEDNS := q.IsEdns0() != nil
	if !hadEDNS {
		q.SetEdns0(ednsSize, false)
	}

	r, err := c.exchangeOnce(ctx, q, server, "udp")
	if err != nil {
		return nil, err
	}

	// RFC 6891 §7: a server that does not know EDNS may answer FORMERR or
	// NOTIMP without an OPT record; ask again without EDNS.
	if !hadEDNS && r.IsEdns0() == nil && (r.Rcode == dns.RcodeFormatError || r.Rcode == dns.RcodeNotImplemented) {
		q.Extra = removeOPT(q.Extra)

		r, err = c.exchangeOnce(ctx, q, server, "udp")
		if err != nil {
			return nil, err
		}
	}

	if r.Truncated {
		// RFC 7766 §5: a truncated UDP answer is retried over TCP.
		return c.exchangeOnce(ctx, q, server, "tcp")
	}

	return r, nil
}

func removeOPT(extra []dns.RR) []dns.RR {
	out := extra[:0:0]

	for _, rr := range extra {
		if rr.Header().Rrtype != dns.TypeOPT {
			out = append(out, rr)
		}
	}

	return out
}

// errDial marks an ExchangeOnce that could not even connect.
var errDial = errors.New("could not connect")

// ExchangeOnce sends m to server once, over cl.Net ("udp" or "tcp"), within
// timeout and ctx: the one way this project puts a DNS message on the wire.
// It dials, and unblocks the read as soon as ctx ends (miekg/dns honours
// only deadlines). The reply comes back even with an error when miekg/dns
// returns one (a truncated answer that does not unpack, a TSIG the client
// cannot verify): callers decide what such a reply is worth. A failure to
// connect wraps errDial.
func ExchangeOnce(ctx context.Context, cl *dns.Client, m *dns.Msg, server string, timeout time.Duration) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	conn, err := cl.DialContext(ctx, server)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errDial, err)
	}

	defer func() { _ = conn.Close() }()

	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	r, _, err := cl.ExchangeWithConnContext(ctx, m, conn)

	return r, err
}

// exchangeOnce is one attempt over one transport.
func (c *Client) exchangeOnce(ctx context.Context, q *dns.Msg, server, network string) (*dns.Msg, error) {
	q.Id = dns.Id()
	question := q.Question[0]

	cl := &dns.Client{Net: network, UDPSize: ednsSize, Timeout: c.timeout}

	r, err := ExchangeOnce(ctx, cl, q, server, c.timeout)
	if errors.Is(err, errDial) {
		return nil, c.transportError(ctx, server, network, question, err)
	}

	if err != nil {
		// A truncated UDP answer may not even unpack; the TC bit is all the
		// caller needs to retry over TCP.
		if network == "udp" && r != nil && r.Truncated && r.Id == q.Id {
			return r, nil
		}

		return nil, c.transportError(ctx, server, network, question, err)
	}

	if err := checkReply(q, r); err != nil {
		return nil, fmt.Errorf("%s: %w", server, err)
	}

	return r, nil
}

// transportError names the server, the question and the cause; a caller's
// cancellation is reported as such, not as a server timeout.
func (c *Client) transportError(ctx context.Context, server, network string, q dns.Question, err error) error {
	what := q.Name + " " + dns.TypeToString[q.Qtype]

	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("asking %s for %s: %w", server, what, ctxErr)
	}

	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: no answer for %s over %s within %s: %w", server, what, network, c.timeout, os.ErrDeadlineExceeded)
	}

	return fmt.Errorf("%s: asking for %s over %s: %w", server, what, network, err)
}

// checkReply refuses answers that do not belong to the query: not a response,
// another opcode, or another question (a confused or spoofing server).
func checkReply(q, r *dns.Msg) error {
	want := q.Question[0]

	if !r.Response {
		return fmt.Errorf("reply to %s is not a response (QR=0)", want.Name)
	}

	if r.Opcode != q.Opcode {
		return fmt.Errorf("reply to %s has opcode %s, asked %s", want.Name, dns.OpcodeToString[r.Opcode], dns.OpcodeToString[q.Opcode])
	}

	if len(r.Question) == 0 {
		// Some servers drop the question in error answers (FORMERR, NOTIMP).
		if r.Rcode != dns.RcodeSuccess {
			return nil
		}

		return fmt.Errorf("reply to %s %s carries no question", want.Name, dns.TypeToString[want.Qtype])
	}

	got := r.Question[0]
	if len(r.Question) != 1 || !strings.EqualFold(got.Name, want.Name) || got.Qtype != want.Qtype || got.Qclass != want.Qclass {
		return fmt.Errorf("reply to %s %s answers another question (%s %s)",
			want.Name, dns.TypeToString[want.Qtype], got.Name, dns.TypeToString[got.Qtype])
	}

	return nil
}

// ask sends one question and sorts the answer: NOERROR and NXDOMAIN are
// answers, any other rcode is an *RcodeError.
func (c *Client) ask(ctx context.Context, server, name string, qtype uint16, recursive bool) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, qtype)
	m.RecursionDesired = recursive

	r, err := c.Exchange(ctx, m, server)
	if err != nil {
		return nil, err
	}

	if r.Rcode != dns.RcodeSuccess && r.Rcode != dns.RcodeNameError {
		return r, &RcodeError{Server: server, Name: name, Qtype: qtype, Rcode: r.Rcode}
	}

	return r, nil
}

// askResolvers asks the resolvers in order and returns the first answer that
// is not an error, with the resolver that gave it.
func (c *Client) askResolvers(ctx context.Context, name string, qtype uint16) (*dns.Msg, string, error) {
	var errs []error

	for _, s := range c.resolvers {
		r, err := c.ask(ctx, s, name, qtype, true)
		if err == nil {
			return r, s, nil
		}

		if ctx.Err() != nil {
			return nil, "", err
		}

		errs = append(errs, err)
	}

	return nil, "", fmt.Errorf("no resolver answered %s %s: %w", name, dns.TypeToString[qtype], errors.Join(errs...))
}
