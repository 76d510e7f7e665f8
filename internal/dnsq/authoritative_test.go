package dnsq

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// authSetup is two authoritative servers on one port (127.0.0.1 and a second
// loopback address) and a resolver that knows where they are.
type authSetup struct {
	ns1, ns2 string // "ip:port" of each authority
	client   *Client
	rec1     *recorder
	rec2     *recorder
}

// nsHostLine is the address record of host pointing at addr's IP.
func nsHostLine(host, addr, rrtype string) string {
	ip, _, _ := net.SplitHostPort(addr)
	return host + " 300 IN " + rrtype + " " + ip
}

// newAuthSetup starts h1 and h2 as authorities; resolverLines(ns2Line)
// returns the resolver's records given the address line of the second host.
func newAuthSetup(t *testing.T, h1, h2 dns.Handler, resolverLines func(ns1, ns2 func(host string) string) []string, apexes ...string) authSetup {
	t.Helper()

	s := authSetup{rec1: &recorder{}, rec2: &recorder{}}

	var port, secondType string

	s.ns1, s.ns2, port, secondType = servePair(t, s.rec1.wrap(h1), s.rec2.wrap(h2))

	lines := resolverLines(
		func(host string) string { return nsHostLine(host, s.ns1, "A") },
		func(host string) string { return nsHostLine(host, s.ns2, secondType) },
	)

	resolver := mustServe(t, newStore(t, apexes, lines...))
	s.client = newClient(t, Config{Resolvers: []string{resolver}, Authoritative: true, NameserverPort: port})

	return s
}

func exampleAuthority(t *testing.T, value string) *zoneStore {
	t.Helper()

	return newStore(t, []string{"example.com."},
		soaExample,
		"example.com. 300 IN NS ns1.example.com.",
		"example.com. 300 IN NS ns2.example.com.",
		txtLine("_validation-persist.example.com.", value),
	)
}

func exampleResolver(ns1, ns2 func(string) string) []string {
	return []string{
		soaExample,
		"example.com. 300 IN NS ns1.example.com.",
		"example.com. 300 IN NS ns2.example.com.",
		ns1("ns1.example.com."),
		ns2("ns2.example.com."),
		// The resolver's cached copy: never what an authoritative check reports.
		txtLine("_validation-persist.example.com.", "cached; accounturi=https://stale.example/"),
	}
}

func answersByServer(answers []Answer) map[string]Answer {
	m := map[string]Answer{}
	for _, a := range answers {
		m[a.Server] = a
	}

	return m
}

func TestLookupTXTAuthoritativeAsksEveryNameserverAndShowsALaggingOne(t *testing.T) {
	t.Parallel()

	s := newAuthSetup(t, exampleAuthority(t, valueA), exampleAuthority(t, valueOld), exampleResolver, "example.com.")

	answers, err := s.client.LookupTXT(context.Background(), "_validation-persist.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 2 {
		t.Fatalf("got %d answers, want one per nameserver: %+v", len(answers), answers)
	}

	by := answersByServer(answers)
	if got := by[s.ns1]; got.Err != nil || !slices.Equal(got.Values, []string{valueA}) {
		t.Errorf("%s: %+v, want %q", s.ns1, got, valueA)
	}

	if got := by[s.ns2]; got.Err != nil || !slices.Equal(got.Values, []string{valueOld}) {
		t.Errorf("%s (lagging): %+v, want its old value %q", s.ns2, got, valueOld)
	}

	for _, rec := range []*recorder{s.rec1, s.rec2} {
		q := rec.all()
		if len(q) != 1 {
			t.Fatalf("an authority got %d queries, want 1", len(q))
		}

		if q[0].msg.RecursionDesired {
			t.Error("authoritative query sent with RD=1")
		}
	}
}

func TestLookupTXTAuthoritativeReportsEachFailingServer(t *testing.T) {
	t.Parallel()

	noAA := func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		_ = w.WriteMsg(m) // a referral-like answer: no AA bit
	}

	tests := []struct {
		name    string
		second  dns.Handler
		wantErr func(error) bool
	}{
		{"REFUSED", rcodeHandler(dns.RcodeRefused), func(err error) bool {
			var rc *RcodeError
			return errors.As(err, &rc) && rc.Rcode == dns.RcodeRefused
		}},
		{"SERVFAIL", rcodeHandler(dns.RcodeServerFailure), func(err error) bool {
			var rc *RcodeError
			return errors.As(err, &rc) && rc.Rcode == dns.RcodeServerFailure
		}},
		{"answer without AA", dns.HandlerFunc(noAA), func(err error) bool {
			var na *NotAuthoritativeError
			return errors.As(err, &na)
		}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			s := newAuthSetup(t, exampleAuthority(t, valueA), tt.second, exampleResolver, "example.com.")

			answers, err := s.client.LookupTXT(context.Background(), "_validation-persist.example.com.")
			if err != nil {
				t.Fatalf("one server still answered, yet LookupTXT failed: %v", err)
			}

			by := answersByServer(answers)
			if got := by[s.ns1]; got.Err != nil || !slices.Equal(got.Values, []string{valueA}) {
				t.Errorf("%s: %+v, want %q", s.ns1, got, valueA)
			}

			got := by[s.ns2]
			if !tt.wantErr(got.Err) || len(got.Values) != 0 {
				t.Errorf("%s: %+v, want a %s error and no values", s.ns2, got, tt.name)
			}
		})
	}
}

func TestLookupTXTAuthoritativeFailsWhenNoServerAnswers(t *testing.T) {
	t.Parallel()

	s := newAuthSetup(t, rcodeHandler(dns.RcodeServerFailure), rcodeHandler(dns.RcodeRefused), exampleResolver, "example.com.")

	answers, err := s.client.LookupTXT(context.Background(), "_validation-persist.example.com.")
	if err == nil {
		t.Fatalf("LookupTXT succeeded with every authority failing: %+v", answers)
	}

	if len(answers) != 2 || answers[0].Err == nil || answers[1].Err == nil {
		t.Errorf("answers = %+v, want both servers with their error", answers)
	}
}

func TestLookupTXTAuthoritativeFollowsCNAMEToTheTargetZoneServers(t *testing.T) {
	t.Parallel()

	const target = "_validation-persist.example.com.acme.net."

	source := newStore(t, []string{"example.com."},
		soaExample,
		"_validation-persist.example.com. 300 IN CNAME "+target,
	)
	acme := newStore(t, []string{"acme.net."},
		"acme.net. 300 IN SOA ns.acme.net. hostmaster.acme.net. 1 7200 900 1209600 300",
		txtLine(target, valueA),
	)

	resolverLines := func(ns1, ns2 func(string) string) []string {
		return []string{
			soaExample,
			"example.com. 300 IN NS ns1.example.com.",
			ns1("ns1.example.com."),
			"_validation-persist.example.com. 300 IN CNAME " + target,
			"acme.net. 300 IN SOA ns.acme.net. hostmaster.acme.net. 1 7200 900 1209600 300",
			"acme.net. 300 IN NS ns.acme.net.",
			ns2("ns.acme.net."),
		}
	}

	s := newAuthSetup(t, source, acme, resolverLines, "example.com.", "acme.net.")

	answers, err := s.client.LookupTXT(context.Background(), "_validation-persist.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 1 {
		t.Fatalf("answers = %+v, want the target zone's one server", answers)
	}

	a := answers[0]
	if a.Server != s.ns2 || a.Name != target || !slices.Equal(a.Values, []string{valueA}) {
		t.Errorf("answer = %+v, want %q at %s from %s", a, valueA, target, s.ns2)
	}
}
