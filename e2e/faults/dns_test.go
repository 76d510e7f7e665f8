package faults

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/testseam"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/miekg/dns"
)

// TestDNSCheckFailureWritesNothing makes the resolver fail in every way a
// check can fail. A failed check is not a missing record: the solver must
// stop with an error naming the record and the cause, and write nothing
// (writing on a failed check would add a duplicate record every time a
// resolver hiccups). One bed, cases one after the other, so the SOA serial
// speaks for each case.
func TestDNSCheckFailureWritesNothing(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})

	tests := []struct {
		name   string
		fault  fault
		opts   []persist.Option
		causes []string
	}{
		{"SERVFAIL", withRcode(dns.RcodeServerFailure), nil, []string{"answered SERVFAIL for _validation-persist."}},
		{"REFUSED", withRcode(dns.RcodeRefused), nil, []string{"answered REFUSED for _validation-persist."}},
		{"NOTAUTH", withRcode(dns.RcodeNotAuth), nil, []string{"answered NOTAUTH for _validation-persist."}},
		{"NOTIMP", withRcode(dns.RcodeNotImplemented), nil, []string{"answered NOTIMP"}},
		{"no answer within the DNS timeout", silent, []persist.Option{persist.WithDNSTimeout(150 * time.Millisecond)},
			[]string{"no answer for _validation-persist.", "within 150ms"}},
		{"answer to another question", otherQuestion, nil, []string{"answers another question (attacker.example. TXT)"}},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			front := newDNSFront(t, b.DNSAddr, tt.fault)
			client, cfg := e2etest.Account(t, b, b.DirectoryURL)
			pub := publisher(t, b)

			if err := persist.Enable(client, cfg, pub, loopback(front.Addr, tt.opts...)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "dnsfail"+strconv.Itoa(i))
			before := e2etest.SOASerial(t, b)

			_, err := e2etest.Obtain(client, domain)
			wantDomainError(t, err, domain, append([]string{"checking " + e2etest.RecordName(domain), front.Addr}, tt.causes...)...)
			t.Logf("error: %v", err)

			if n := pub.Calls(); n != 0 {
				t.Errorf("Publish called %d times after a failed check; want none", n)
			}

			if after := e2etest.SOASerial(t, b); after != before {
				t.Errorf("SOA serial %d -> %d: something was written", before, after)
			}
		})
	}
}

// TestDNSFaultsTheSolverRidesOut covers faults that must not stop an
// issuance: truncated UDP answers (retried over TCP), a failing first
// resolver (the next one is asked), and a server that serves a new record
// only after some polls (the solver waits, then succeeds, having written
// once).
func TestDNSFaultsTheSolverRidesOut(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})

	t.Run("truncated UDP answer is retried over TCP", func(t *testing.T) {
		t.Parallel()

		front := newDNSFront(t, b.DNSAddr, truncatingUDP)
		domain := e2etest.Domain(b, "truncated")

		pub := issue(t, b, domain, loopback(front.Addr))

		if n := pub.Calls(); n != 1 {
			t.Errorf("Publish called %d times; want 1", n)
		}

		rr := e2etest.RecordName(domain)
		if udp, tcp := front.count("udp", rr, dns.TypeTXT), front.count("tcp", rr, dns.TypeTXT); udp == 0 || tcp != udp {
			t.Errorf("%d UDP and %d TCP queries for %s; want every truncated UDP query retried once over TCP", udp, tcp, rr)
		}
	})

	t.Run("failing first resolver falls over to the next", func(t *testing.T) {
		t.Parallel()

		bad := newDNSFront(t, b.DNSAddr, withRcode(dns.RcodeServerFailure))
		good := newDNSFront(t, b.DNSAddr, passThrough)
		domain := e2etest.Domain(b, "failover")
		rr := e2etest.RecordName(domain)

		opts := loopback(bad.Addr)
		opts = append(opts, persist.WithResolvers(bad.Addr, good.Addr))
		issue(t, b, domain, opts)

		if bad.count("", rr, dns.TypeTXT) == 0 || good.count("", rr, dns.TypeTXT) == 0 {
			t.Errorf("queries: failing resolver %d, good resolver %d; want both asked",
				bad.count("", rr, dns.TypeTXT), good.count("", rr, dns.TypeTXT))
		}
	})

	t.Run("lagging server: propagation wait, then success", func(t *testing.T) {
		t.Parallel()

		const polls = 4

		lag := newLagging(1 + polls) // the first check, then polls
		front := newDNSFront(t, b.DNSAddr, lag.fault)
		domain := e2etest.Domain(b, "lagging")
		rr := e2etest.RecordName(domain)

		pub := issue(t, b, domain, loopback(front.Addr))

		if n := pub.Calls(); n != 1 {
			t.Errorf("Publish called %d times while the server lagged; want 1", n)
		}

		if q := front.count("", rr, dns.TypeTXT); q < polls+2 {
			t.Errorf("%d TXT queries; want at least %d (check, %d lagging polls, the poll that sees it)", q, polls+2, polls)
		}
	})

	t.Run("propagation timeout, then a rerun writes nothing", func(t *testing.T) {
		t.Parallel()

		lag := newLagging(0)
		lag.hideForever(true)
		front := newDNSFront(t, b.DNSAddr, lag.fault)
		domain := e2etest.Domain(b, "stuck")
		rr := e2etest.RecordName(domain)

		client, cfg := e2etest.Account(t, b, b.DirectoryURL)
		pub := publisher(t, b)
		opts := append(loopback(front.Addr), persist.WithPropagationTimeout(300*time.Millisecond, 25*time.Millisecond))

		if err := persist.Enable(client, cfg, pub, opts...); err != nil {
			t.Fatal(err)
		}

		_, err := e2etest.Obtain(client, domain)
		wantDomainError(t, err, domain, rr+": the record is not served by every server after 300ms", "re-running later writes nothing")

		if got := e2etest.TXT(t, b, rr); !slices.Equal(got, []string{ourValue(b, cfg)}) {
			t.Fatalf("records at %s after the timeout: %q; want ours (published once)", rr, got)
		}

		lag.hideForever(false)

		if _, err := e2etest.Obtain(client, domain); err != nil {
			t.Fatalf("rerun once the server serves the record: %v", err)
		}

		if n := pub.Calls(); n != 1 {
			t.Errorf("Publish called %d times over the two runs; want 1", n)
		}
	})
}

// issue registers an account, enables the solver with opts and a counting
// rfc2136 publisher, and obtains a certificate for domain.
func issue(t *testing.T, b *bed.Bed, domain string, opts []persist.Option) *e2etest.CountingPublisher {
	t.Helper()

	client, cfg := e2etest.Account(t, b, b.DirectoryURL)
	pub := publisher(t, b)

	if err := persist.Enable(client, cfg, pub, opts...); err != nil {
		t.Fatal(err)
	}

	if _, err := e2etest.Obtain(client, domain); err != nil {
		t.Fatalf("obtain %s: %v", domain, err)
	}

	if got := e2etest.TXT(t, b, e2etest.RecordName(domain)); !slices.Equal(got, []string{ourValue(b, cfg)}) {
		t.Errorf("records at %s: %q; want ours", e2etest.RecordName(domain), got)
	}

	return pub
}

// TestTSIGRejectionIsClearAndLeaksNoSecret publishes with a wrong TSIG
// secret (BIND answers BADSIG) and an unknown key name (BADKEY): the
// obtain fails naming the domain and the TSIG problem, no secret appears
// in the error, and the zone is unchanged.
func TestTSIGRejectionIsClearAndLeaksNoSecret(t *testing.T) {
	t.Parallel()

	b := bed.New(t, bed.Options{})
	wrongSecret := "d3JvbmctYnV0LXdlbGwtZm9ybWVkLXNlY3JldC0xMjM0NTY3OA=="

	tests := []struct {
		name, key, secret string
		causes            []string
	}{
		{"wrong secret (BADSIG)", b.TSIGKey, wrongSecret, []string{"BADSIG"}},
		{"unknown key (BADKEY)", "no-such-key.", b.TSIGSecret, []string{"BADKEY"}},
	}

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, cfg := e2etest.Account(t, b, b.DirectoryURL)
			pub := &e2etest.CountingPublisher{Next: e2etest.RFC2136(t, b, e2etest.WithTSIG(tt.key, tt.secret), e2etest.WithDNSTimeout(dnsTimeout))}

			if err := persist.Enable(client, cfg, pub, loopback(b.DNSAddr)...); err != nil {
				t.Fatal(err)
			}

			domain := e2etest.Domain(b, "tsig"+strconv.Itoa(i))
			before := e2etest.SOASerial(t, b)

			_, err := e2etest.Obtain(client, domain)
			wantDomainError(t, err, domain, append([]string{"publishing " + e2etest.RecordName(domain)}, tt.causes...)...)
			t.Logf("error: %v", err)

			for _, secret := range []string{wrongSecret, b.TSIGSecret} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error carries a TSIG secret: %v", err)
				}
			}

			if after := e2etest.SOASerial(t, b); after != before {
				t.Errorf("SOA serial %d -> %d after a rejected update", before, after)
			}
		})
	}
}

// TestOneLaggingAuthoritativeServerIsWaitedFor checks in the default mode,
// at the zone's authoritative servers: the zone gets a second nameserver
// (ns2, 127.0.0.2, on BIND's port) that serves a new record only after a
// few polls. The solver writes once and waits for both servers.
func TestOneLaggingAuthoritativeServerIsWaitedFor(t *testing.T) {
	b := bed.New(t, bed.Options{ExtraZoneRecords: []string{"@ IN NS ns2", "ns2 IN A 127.0.0.2"}})

	host, port, err := net.SplitHostPort(b.DNSAddr)
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("bed DNS at %s: %v", b.DNSAddr, err)
	}

	const polls = 3

	lag := newLagging(1 + polls)
	ns2 := newDNSFrontAt(t, net.JoinHostPort("127.0.0.2", port), b.DNSAddr, lag.fault)
	domain := e2etest.Domain(b, "twons")
	rr := e2etest.RecordName(domain)

	pub := issue(t, b, domain, []persist.Option{
		persist.WithResolvers(b.DNSAddr),
		persist.WithContext(testseam.WithNameserverPort(t.Context(), port)),
		persist.WithPropagationTimeout(20*time.Second, 25*time.Millisecond),
	})

	if n := pub.Calls(); n != 1 {
		t.Errorf("Publish called %d times; want 1", n)
	}

	if q := ns2.count("", rr, dns.TypeTXT); q < polls+2 {
		t.Errorf("the lagging nameserver saw %d TXT queries; want at least %d (check, lagging polls, the poll that sees it)", q, polls+2)
	}
}
