package rfc2136

import (
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// An in-process primary server taking RFC 2136 updates signed with TSIG, on
// loopback at a random port, holding its zones' TXT RRs in memory.

const (
	testKey = "persist-key."
	// testSecret is distinctive so tests can look for it in error texts.
	testSecret = "U2VjcmV0VGhhdE11c3ROZXZlckxlYWtJbnRvRXJyb3JzISE="
)

type updateServer struct {
	zones []string

	// rcode, when not zero, answers every update with it (signed).
	rcode int
	// unsignedReplies answers signed updates without a TSIG.
	unsignedReplies bool

	mu      sync.Mutex
	rrs     []dns.RR
	updates []*dns.Msg
}

func (s *updateServer) zoneOf(name string) string {
	best := ""

	for _, z := range s.zones {
		if dns.IsSubDomain(z, name) && len(z) > len(best) {
			best = z
		}
	}

	return best
}

// values returns the TXT RRs at name, as their character-strings.
func (s *updateServer) values(name string) [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()

	var out [][]string

	for _, rr := range s.rrs {
		if txt, ok := rr.(*dns.TXT); ok && dns.CanonicalName(txt.Hdr.Name) == dns.CanonicalName(name) {
			out = append(out, txt.Txt)
		}
	}

	return out
}

func (s *updateServer) received() []*dns.Msg {
	s.mu.Lock()
	defer s.mu.Unlock()

	return append([]*dns.Msg(nil), s.updates...)
}

func (s *updateServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)

	if req.Opcode == dns.OpcodeQuery {
		s.answerQuery(w, req)
		return
	}

	s.mu.Lock()
	s.updates = append(s.updates, req.Copy())
	s.mu.Unlock()

	tsig := req.IsTsig()

	sign := func() {
		if tsig != nil && !s.unsignedReplies {
			m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, 300, time.Now().Unix())
		}
	}

	// RFC 8945 §5.2: a request whose signature fails gets NOTAUTH and the
	// TSIG error, unsigned for BADKEY and BADSIG.
	if tsig != nil && w.TsigStatus() != nil {
		m.SetRcode(req, dns.RcodeNotAuth)
		m.SetTsig(tsig.Hdr.Name, tsig.Algorithm, 300, time.Now().Unix())

		code := uint16(dns.RcodeBadSig)

		switch status := w.TsigStatus(); {
		case errors.Is(status, dns.ErrSecret):
			code = dns.RcodeBadKey
		case errors.Is(status, dns.ErrTime):
			code = dns.RcodeBadTime
		}

		m.Extra[len(m.Extra)-1].(*dns.TSIG).Error = code
		_ = w.WriteMsg(m)

		return
	}

	rcode := s.apply(req)
	if s.rcode != 0 {
		rcode = s.rcode
	}

	m.SetRcode(req, rcode)
	sign()
	_ = w.WriteMsg(m)
}

// apply performs the update section (RFC 2136 §3.4.2) on TXT RRs.
func (s *updateServer) apply(req *dns.Msg) int {
	zone := dns.CanonicalName(req.Question[0].Name)
	if s.zoneOf(zone) != zone {
		return dns.RcodeNotAuth
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	for _, rr := range req.Ns {
		h := rr.Header()
		if !dns.IsSubDomain(zone, dns.CanonicalName(h.Name)) {
			return dns.RcodeNotZone
		}

		switch h.Class {
		case dns.ClassINET: // §2.5.1 add to an RRset; duplicates are ignored
			if !s.has(rr) {
				s.rrs = append(s.rrs, dns.Copy(rr))
			}
		case dns.ClassNONE: // §2.5.4 delete an RR from an RRset
			in := dns.Copy(rr)
			in.Header().Class = dns.ClassINET

			kept := s.rrs[:0]

			for _, have := range s.rrs {
				if !dns.IsDuplicate(have, in) {
					kept = append(kept, have)
				}
			}

			s.rrs = kept
		case dns.ClassANY: // §2.5.2/§2.5.3 delete whole RRsets
			kept := s.rrs[:0]

			for _, have := range s.rrs {
				hh := have.Header()
				sameSet := dns.CanonicalName(hh.Name) == dns.CanonicalName(h.Name) && (h.Rrtype == dns.TypeANY || hh.Rrtype == h.Rrtype)
				if !sameSet {
					kept = append(kept, have)
				}
			}

			s.rrs = kept
		}
	}

	return dns.RcodeSuccess
}

func (s *updateServer) has(rr dns.RR) bool {
	for _, have := range s.rrs {
		if dns.IsDuplicate(have, rr) {
			return true
		}
	}

	return false
}

// answerQuery answers SOA queries for the zone walk.
func (s *updateServer) answerQuery(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)

	name := dns.CanonicalName(req.Question[0].Name)

	zone := s.zoneOf(name)
	if zone == "" {
		m.Rcode = dns.RcodeRefused
		_ = w.WriteMsg(m)

		return
	}

	m.Authoritative = true

	soa, _ := dns.NewRR(zone + " 300 IN SOA ns." + zone + " hostmaster." + zone + " 1 7200 900 1209600 300")
	if name == zone && req.Question[0].Qtype == dns.TypeSOA {
		m.Answer = []dns.RR{soa}
	} else {
		m.Ns = []dns.RR{soa}
	}

	_ = w.WriteMsg(m)
}

// start serves h on 127.0.0.1 (UDP and TCP, one random port) with the test
// key, or with provider when not nil.
func start(t *testing.T, h dns.Handler, provider dns.TsigProvider) string {
	t.Helper()

	for range 20 {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}

		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil {
			_ = pc.Close()
			continue
		}

		acceptAll := func(dns.Header) dns.MsgAcceptAction { return dns.MsgAccept }

		for _, srv := range []*dns.Server{{PacketConn: pc}, {Listener: ln}} {
			srv.Handler = h
			srv.MsgAcceptFunc = acceptAll
			srv.TsigSecret = map[string]string{testKey: testSecret}
			srv.TsigProvider = provider

			go func() { _ = srv.ActivateAndServe() }()

			t.Cleanup(func() { _ = srv.Shutdown() })
		}

		return pc.LocalAddr().String()
	}

	t.Fatal("no free UDP/TCP port pair")

	return ""
}

// forgingProvider accepts every request signature and signs answers with a
// MAC no secret produces: a server (or attacker) the client must not trust.
type forgingProvider struct{}

func (forgingProvider) Generate([]byte, *dns.TSIG) ([]byte, error) {
	return []byte("0123456789abcdef0123456789abcdef"), nil
}

func (forgingProvider) Verify([]byte, *dns.TSIG) error { return nil }

// silentServer reads UDP packets and never answers.
func silentServer(t *testing.T) string {
	t.Helper()

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}

	t.Cleanup(func() { _ = pc.Close() })

	go func() {
		buf := make([]byte, 65535)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()

	return pc.LocalAddr().String()
}
