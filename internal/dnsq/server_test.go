package dnsq

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/lego-persist/lego-persist/internal/testenv"
	"github.com/miekg/dns"
)

// This file holds the in-process DNS servers the tests talk to: real
// miekg/dns servers on loopback, random ports, answering from tiny zones.

// zoneStore answers from a few RRs, like an authority for apexes (or, with
// every zone loaded, like a recursive resolver that knows everything).
type zoneStore struct {
	apexes []string
	rrs    []dns.RR

	// stopAtAlias answers only the first CNAME, never its target, like an
	// authority whose alias leaves its zone.
	stopAtAlias bool
	// noNegativeSOA leaves the SOA out of NXDOMAIN/NODATA answers.
	noNegativeSOA bool
}

func newStore(t *testing.T, apexes []string, lines ...string) *zoneStore {
	t.Helper()

	s := &zoneStore{apexes: apexes}

	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatalf("fixture %q: %v", l, err)
		}

		s.rrs = append(s.rrs, rr)
	}

	return s
}

func (s *zoneStore) zoneOf(name string) string {
	best := ""

	for _, z := range s.apexes {
		if dns.IsSubDomain(z, name) && len(z) > len(best) {
			best = z
		}
	}

	return best
}

func (s *zoneStore) exists(name string) bool {
	for _, rr := range s.rrs {
		if dns.IsSubDomain(name, dns.CanonicalName(rr.Header().Name)) {
			return true
		}
	}

	return false
}

func (s *zoneStore) soa(zone string) []dns.RR {
	for _, rr := range s.rrs {
		if rr.Header().Rrtype == dns.TypeSOA && sameName(rr.Header().Name, zone) {
			return []dns.RR{rr}
		}
	}

	return nil
}

func (s *zoneStore) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)

	q := req.Question[0]
	name := dns.CanonicalName(q.Name)

	if s.zoneOf(name) == "" {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)

		return
	}

	m.Authoritative = true

	for range 16 {
		var (
			found []dns.RR
			cname dns.RR
		)

		for _, rr := range s.rrs {
			h := rr.Header()
			if !sameName(h.Name, name) {
				continue
			}

			switch h.Rrtype {
			case q.Qtype:
				found = append(found, rr)
			case dns.TypeCNAME:
				cname = rr
			}
		}

		if len(found) > 0 {
			m.Answer = append(m.Answer, found...)
			break
		}

		if cname != nil {
			m.Answer = append(m.Answer, cname)
			name = dns.CanonicalName(cname.(*dns.CNAME).Target)

			if s.stopAtAlias || s.zoneOf(name) == "" {
				break
			}

			continue
		}

		if !s.exists(name) {
			m.Rcode = dns.RcodeNameError
		}

		if !s.noNegativeSOA {
			m.Ns = s.soa(s.zoneOf(name))
		}

		break
	}

	_ = w.WriteMsg(m)
}

// recorder keeps every query a handler received, with its transport.
type recorder struct {
	mu      sync.Mutex
	queries []received
}

type received struct {
	msg *dns.Msg
	tcp bool
}

func (r *recorder) wrap(h dns.Handler) dns.HandlerFunc {
	return func(w dns.ResponseWriter, req *dns.Msg) {
		_, tcp := w.RemoteAddr().(*net.TCPAddr)

		r.mu.Lock()
		r.queries = append(r.queries, received{msg: req.Copy(), tcp: tcp})
		r.mu.Unlock()

		h.ServeDNS(w, req)
	}
}

func (r *recorder) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()

	return append([]received(nil), r.queries...)
}

// rcodeHandler answers every query with rcode and nothing else.
func rcodeHandler(rcode int) dns.HandlerFunc {
	return func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetRcode(req, rcode)
		_ = w.WriteMsg(m)
	}
}

// serve starts h over UDP and TCP on host at port ("0": any free port, the
// same for both transports) and returns "host:port".
func serve(t *testing.T, host, port string, h dns.Handler) (string, error) {
	t.Helper()

	for range 20 {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(host, port))
		if err != nil {
			return "", err
		}

		addr := pc.LocalAddr().String()

		ln, err := net.Listen("tcp", addr)
		if err != nil {
			_ = pc.Close()

			if port != "0" {
				return "", err
			}

			continue // the UDP port's TCP twin is taken: pick another port
		}

		for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
			go func() { _ = srv.ActivateAndServe() }()

			t.Cleanup(func() { _ = srv.Shutdown() })
		}

		return addr, nil
	}

	t.Fatal("no free port pair on", host)

	return "", nil
}

func mustServe(t *testing.T, h dns.Handler) string {
	t.Helper()

	addr, err := serve(t, "127.0.0.1", "0", h)
	if err != nil {
		t.Fatal(err)
	}

	return addr
}

// servePair starts h1 on 127.0.0.1 and h2 on a second loopback address (::1,
// else 127.0.0.2) on the same port, as two nameservers of one zone would be.
// It returns both addresses, the port and the RR type ("A" or "AAAA") that
// points at the second one.
func servePair(t *testing.T, h1, h2 dns.Handler) (addr1, addr2, port, secondType string) {
	t.Helper()

	for range 20 {
		addr1 = mustServe(t, h1)
		_, port, _ = net.SplitHostPort(addr1)

		for _, host := range []string{"::1", "127.0.0.2"} {
			a2, err := serve(t, host, port, h2)
			if err == nil {
				secondType = "A"
				if strings.Contains(host, ":") {
					secondType = "AAAA"
				}

				return addr1, a2, port, secondType
			}
		}
	}

	testenv.SkipOrFail(t, "no second loopback address (::1 or 127.0.0.2) free on a shared port")

	return "", "", "", ""
}

// silentServer reads UDP queries and never answers; each query is signalled
// on the returned channel (when there is room).
func silentServer(t *testing.T) (string, <-chan struct{}) {
	t.Helper()

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = pc.Close() })

	got := make(chan struct{}, 16)

	go func() {
		buf := make([]byte, 65535)

		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}

			select {
			case got <- struct{}{}:
			default:
			}
		}
	}()

	return pc.LocalAddr().String(), got
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()

	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return c
}
