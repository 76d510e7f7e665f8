package faults

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsFront is an in-process DNS server on loopback, UDP and TCP on one port,
// that forwards every query to upstream (the bed's BIND) through a fault.
// It stands where a recursive resolver would: the solver asks it, while
// Pebble keeps asking BIND directly.
type dnsFront struct {
	Addr     string
	upstream string
	fault    fault

	mu      sync.Mutex
	queries []query
}

type query struct {
	network string // "udp" or "tcp"
	name    string // lowercase, trailing dot
	qtype   uint16
}

// fault decides the reply to one query. forward asks upstream over the
// query's transport (nil on upstream failure). A nil reply means no answer
// at all (the client times out).
type fault func(network string, req *dns.Msg, forward func() *dns.Msg) *dns.Msg

func passThrough(_ string, _ *dns.Msg, forward func() *dns.Msg) *dns.Msg { return forward() }

func newDNSFront(t *testing.T, upstream string, f fault) *dnsFront {
	t.Helper()

	return newDNSFrontAt(t, "127.0.0.1:0", upstream, f)
}

// newDNSFrontAt is newDNSFront listening on addr ("host:0" for a free port).
func newDNSFrontAt(t *testing.T, addr, upstream string, f fault) *dnsFront {
	t.Helper()

	front := &dnsFront{upstream: upstream, fault: f}

	var (
		pc  net.PacketConn
		ln  net.Listener
		err error
	)

	// UDP and TCP on the same port: take a free UDP port, then try its TCP
	// twin; another process may hold that one, so retry a few times.
	for range 10 {
		pc, err = net.ListenPacket("udp4", addr)
		if err != nil {
			t.Fatal(err)
		}

		ln, err = net.Listen("tcp4", pc.LocalAddr().String())
		if err == nil {
			break
		}

		_ = pc.Close()
	}

	if err != nil {
		t.Fatalf("no free UDP+TCP port pair: %v", err)
	}

	front.Addr = pc.LocalAddr().String()

	h := dns.HandlerFunc(front.serve)
	servers := []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}}

	var wg sync.WaitGroup

	for _, s := range servers {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }

		wg.Go(func() { _ = s.ActivateAndServe() })
		<-started
	}

	t.Cleanup(func() {
		for _, s := range servers {
			_ = s.Shutdown()
		}

		wg.Wait()
	})

	return front
}

func (f *dnsFront) serve(w dns.ResponseWriter, req *dns.Msg) {
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}

	if len(req.Question) == 1 {
		q := req.Question[0]

		f.mu.Lock()
		f.queries = append(f.queries, query{network: network, name: strings.ToLower(q.Name), qtype: q.Qtype})
		f.mu.Unlock()
	}

	forward := func() *dns.Msg {
		c := &dns.Client{Net: network, Timeout: 5 * time.Second, UDPSize: dns.DefaultMsgSize}

		r, _, err := c.Exchange(req.Copy(), f.upstream)
		if err != nil {
			return nil
		}

		return r
	}

	reply := f.fault(network, req, forward)
	if reply == nil {
		return
	}

	_ = w.WriteMsg(reply)
}

// count returns how many queries for name (any case, trailing dot or not)
// of qtype arrived over network ("" for both).
func (f *dnsFront) count(network, name string, qtype uint16) int {
	name = strings.ToLower(dns.Fqdn(name))

	f.mu.Lock()
	defer f.mu.Unlock()

	n := 0

	for _, q := range f.queries {
		if q.name == name && q.qtype == qtype && (network == "" || q.network == network) {
			n++
		}
	}

	return n
}

// withRcode answers every query with rcode and nothing else.
func withRcode(rcode int) fault {
	return func(_ string, req *dns.Msg, _ func() *dns.Msg) *dns.Msg {
		return new(dns.Msg).SetRcode(req, rcode)
	}
}

// silent never answers.
func silent(string, *dns.Msg, func() *dns.Msg) *dns.Msg { return nil }

// truncatingUDP answers every UDP query with an empty truncated reply
// (TC=1) and forwards TCP queries.
func truncatingUDP(network string, req *dns.Msg, forward func() *dns.Msg) *dns.Msg {
	if network == "udp" {
		m := new(dns.Msg).SetReply(req)
		m.Truncated = true

		return m
	}

	return forward()
}

// otherQuestion answers with upstream's reply to the query, relabelled as
// the reply to another question (a confused or spoofing server).
func otherQuestion(_ string, _ *dns.Msg, forward func() *dns.Msg) *dns.Msg {
	r := forward()
	if r != nil && len(r.Question) == 1 {
		r.Question[0].Name = "attacker.example."
	}

	return r
}

// lagging hides the TXT records of record names for the first n TXT
// queries of each name: a server that serves a new record only after a
// while. Other queries pass.
type lagging struct {
	n int

	mu   sync.Mutex
	seen map[string]int
	stop bool // hide forever while set
}

func newLagging(n int) *lagging { return &lagging{n: n, seen: map[string]int{}} }

func (l *lagging) fault(_ string, req *dns.Msg, forward func() *dns.Msg) *dns.Msg {
	r := forward()
	if r == nil || len(req.Question) != 1 || req.Question[0].Qtype != dns.TypeTXT {
		return r
	}

	name := strings.ToLower(req.Question[0].Name)

	l.mu.Lock()
	l.seen[name]++
	hide := l.stop || l.seen[name] <= l.n
	l.mu.Unlock()

	if hide {
		r.Answer = nil
	}

	return r
}

func (l *lagging) hideForever(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()

	l.stop = on
}

func (l *lagging) String() string { return fmt.Sprintf("lagging(%d)", l.n) }
