package dnsq

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/miekg/dns"
)

const (
	valueA   = "ca.example; accounturi=https://ca.example/acct/1"
	valueB   = "other-ca.example; accounturi=https://other-ca.example/acct/9; policy=wildcard"
	valueOld = "ca.example; accounturi=https://ca.example/acct/old"
)

var valueLong = "ca.example; accounturi=https://ca.example/acct/" + strings.Repeat("7", 300)

// txtLine renders value as a zone-file TXT RR, split into character-strings.
func txtLine(owner, value string) string {
	parts := record.Split(value)
	for i, p := range parts {
		p = strings.ReplaceAll(p, `\`, `\\`)
		parts[i] = `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
	}

	return owner + " 300 IN TXT " + strings.Join(parts, " ")
}

const soaExample = "example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300"

func txtWorld(t *testing.T) *zoneStore {
	t.Helper()

	return newStore(t, []string{"example.com.", "other.net."},
		soaExample,
		"example.com. 300 IN NS ns1.example.com.",
		"ns1.example.com. 300 IN A 192.0.2.1",
		txtLine("_validation-persist.one.example.com.", valueA),
		txtLine("_validation-persist.two.example.com.", valueA),
		txtLine("_validation-persist.two.example.com.", valueB),
		txtLine("_validation-persist.long.example.com.", valueLong),
		txtLine("_validation-persist.quote.example.com.", `a"b\c`),
		"_validation-persist.nodata.example.com. 300 IN A 192.0.2.7",
		"_validation-persist.alias.example.com. 60 IN CNAME target.other.net.",
		"_validation-persist.dangling.example.com. 300 IN CNAME missing.other.net.",
		"other.net. 300 IN SOA ns.other.net. hostmaster.other.net. 1 7200 900 1209600 300",
		txtLine("target.other.net.", valueB),
	)
}

func TestLookupTXTThroughResolver(t *testing.T) {
	t.Parallel()

	resolver := mustServe(t, txtWorld(t))
	c := newClient(t, Config{Resolvers: []string{resolver}})

	tests := []struct {
		name     string
		fqdn     string
		want     []string
		wantName string
		wantTTL  uint32
	}{
		{"one record", "_validation-persist.one.example.com.", []string{valueA}, "_validation-persist.one.example.com.", 300},
		{"every RR is one value", "_validation-persist.two.example.com", []string{valueA, valueB}, "_validation-persist.two.example.com.", 300},
		{"long value joined from its strings", "_validation-persist.long.example.com.", []string{valueLong}, "_validation-persist.long.example.com.", 300},
		{"escapes come back as raw octets", "_validation-persist.quote.example.com.", []string{`a"b\c`}, "_validation-persist.quote.example.com.", 300},
		{"NODATA is empty, not an error", "_validation-persist.nodata.example.com.", nil, "_validation-persist.nodata.example.com.", 0},
		{"NXDOMAIN is empty, not an error", "_validation-persist.none.example.com.", nil, "_validation-persist.none.example.com.", 0},
		{"CNAME is followed; TTL is the chain's smallest", "_validation-persist.alias.example.com.", []string{valueB}, "target.other.net.", 60},
		{"CNAME to nowhere is empty", "_validation-persist.dangling.example.com.", nil, "missing.other.net.", 0},
		{"mixed case name", "_VALIDATION-persist.One.Example.com.", []string{valueA}, "_validation-persist.one.example.com.", 300},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			answers, err := c.LookupTXT(context.Background(), tt.fqdn)
			if err != nil {
				t.Fatal(err)
			}

			if len(answers) != 1 {
				t.Fatalf("got %d answers, want 1 (resolver mode): %+v", len(answers), answers)
			}

			a := answers[0]
			if a.Err != nil || a.Server != resolver || !slices.Equal(a.Values, tt.want) || a.Name != tt.wantName || a.TTL != tt.wantTTL {
				t.Errorf("answer = %+v, want server %s name %s values %q TTL %d", a, resolver, tt.wantName, tt.want, tt.wantTTL)
			}
		})
	}
}

func TestLookupTXTTriesResolversInOrder(t *testing.T) {
	t.Parallel()

	servfail := mustServe(t, rcodeHandler(dns.RcodeServerFailure))
	refused := mustServe(t, rcodeHandler(dns.RcodeRefused))
	silent, _ := silentServer(t)
	good := mustServe(t, txtWorld(t))

	c := newClient(t, Config{Resolvers: []string{servfail, silent, refused, good}, Timeout: 200 * time.Millisecond})

	answers, err := c.LookupTXT(context.Background(), "_validation-persist.one.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 1 || answers[0].Server != good || !slices.Equal(answers[0].Values, []string{valueA}) {
		t.Errorf("answers = %+v, want the one from %s", answers, good)
	}
}

func TestLookupTXTFailsWhenNoResolverAnswers(t *testing.T) {
	t.Parallel()

	servfail := mustServe(t, rcodeHandler(dns.RcodeServerFailure))
	refused := mustServe(t, rcodeHandler(dns.RcodeRefused))
	silent, _ := silentServer(t)

	c := newClient(t, Config{Resolvers: []string{servfail, refused, silent}, Timeout: 200 * time.Millisecond})

	_, err := c.LookupTXT(context.Background(), "_validation-persist.one.example.com.")
	if err == nil {
		t.Fatal("LookupTXT succeeded without any working resolver")
	}

	for _, want := range []string{servfail + " answered SERVFAIL", refused + " answered REFUSED", silent + ": no answer", "_validation-persist.one.example.com."} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}

	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("error %v does not wrap the timeout", err)
	}
}

func TestExchangeRetriesTruncatedAnswerOverTCP(t *testing.T) {
	t.Parallel()

	var rec recorder

	h := func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)

		value := "from-tcp"
		if _, tcp := w.RemoteAddr().(*net.TCPAddr); !tcp {
			m.Truncated = true
			value = "from-udp"
		}

		rr, _ := dns.NewRR(txtLine(req.Question[0].Name, value))
		m.Answer = []dns.RR{rr}
		_ = w.WriteMsg(m)
	}

	c := newClient(t, Config{Resolvers: []string{mustServe(t, rec.wrap(dns.HandlerFunc(h)))}})

	answers, err := c.LookupTXT(context.Background(), "big.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 1 || !slices.Equal(answers[0].Values, []string{"from-tcp"}) {
		t.Errorf("answers = %+v, want the TCP answer", answers)
	}

	q := rec.all()
	if len(q) != 2 || q[0].tcp || !q[1].tcp {
		t.Fatalf("queries = %+v, want one over UDP then one over TCP", q)
	}

	if opt := q[0].msg.IsEdns0(); opt == nil || opt.UDPSize() != 4096 {
		t.Errorf("UDP query EDNS0 = %v, want a 4096-octet payload", opt)
	}

	if q[0].msg.Id == q[1].msg.Id {
		t.Errorf("UDP and TCP queries share ID %d", q[0].msg.Id)
	}
}

func TestExchangeRejectsAnswerToAnotherQuestion(t *testing.T) {
	t.Parallel()

	h := func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Question[0].Name = "elsewhere.example.net."
		rr, _ := dns.NewRR(txtLine("elsewhere.example.net.", "forged"))
		m.Answer = []dns.RR{rr}
		_ = w.WriteMsg(m)
	}

	c := newClient(t, Config{Resolvers: []string{mustServe(t, dns.HandlerFunc(h))}})

	answers, err := c.LookupTXT(context.Background(), "_validation-persist.example.com.")
	if err == nil {
		t.Fatalf("LookupTXT accepted an answer to another question: %+v", answers)
	}

	if !strings.Contains(err.Error(), "another question") {
		t.Errorf("error %q does not say the answer was for another question", err)
	}
}

func TestExchangeRetriesWithoutEDNSAfterFORMERR(t *testing.T) {
	t.Parallel()

	var rec recorder

	store := txtWorld(t)
	h := func(w dns.ResponseWriter, req *dns.Msg) {
		if req.IsEdns0() != nil {
			m := new(dns.Msg)
			m.SetRcode(req, dns.RcodeFormatError)
			_ = w.WriteMsg(m)

			return
		}

		store.ServeDNS(w, req)
	}

	c := newClient(t, Config{Resolvers: []string{mustServe(t, rec.wrap(dns.HandlerFunc(h)))}})

	answers, err := c.LookupTXT(context.Background(), "_validation-persist.one.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 1 || !slices.Equal(answers[0].Values, []string{valueA}) {
		t.Errorf("answers = %+v", answers)
	}

	if q := rec.all(); len(q) != 2 || q[1].msg.IsEdns0() != nil {
		t.Errorf("want a second query without EDNS0, got %d queries", len(q))
	}
}

func TestLookupTXTStopsWhenContextIsCanceled(t *testing.T) {
	t.Parallel()

	silent, got := silentServer(t)
	c := newClient(t, Config{Resolvers: []string{silent}, Timeout: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())

	go func() {
		<-got
		cancel()
	}()

	_, err := c.LookupTXT(ctx, "_validation-persist.example.com.")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

// fixedAnswer answers every query with the same answer section.
func fixedAnswer(t *testing.T, lines ...string) dns.HandlerFunc {
	t.Helper()

	var rrs []dns.RR

	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}

		rrs = append(rrs, rr)
	}

	return func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		m.Answer = rrs
		_ = w.WriteMsg(m)
	}
}

func TestLookupTXTFollowsAliasesInsideOneAnswer(t *testing.T) {
	t.Parallel()

	const asked = "_validation-persist.www.old.example."

	tests := []struct {
		name  string
		lines []string
		want  []string
	}{
		{
			name: "DNAME with synthesized CNAME",
			lines: []string{
				"old.example. 300 IN DNAME new.example.",
				"_validation-persist.www.old.example. 300 IN CNAME _validation-persist.www.new.example.",
				txtLine("_validation-persist.www.new.example.", valueA),
			},
			want: []string{valueA},
		},
		{
			name: "DNAME alone",
			lines: []string{
				"old.example. 300 IN DNAME new.example.",
				txtLine("_validation-persist.www.new.example.", valueA),
			},
			want: []string{valueA},
		},
		{
			name: "owner names in another case",
			lines: []string{
				"_VALIDATION-PERSIST.WWW.OLD.EXAMPLE. 300 IN CNAME Target.Example.",
				txtLine("TARGET.example.", valueA),
			},
			want: []string{valueA},
		},
		{
			name: "TXT of other names in the answer are ignored",
			lines: []string{
				"_validation-persist.www.old.example. 300 IN CNAME target.example.",
				txtLine("unrelated.example.", valueB),
				txtLine("target.example.", valueA),
			},
			want: []string{valueA},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			c := newClient(t, Config{Resolvers: []string{mustServe(t, fixedAnswer(t, tt.lines...))}})

			answers, err := c.LookupTXT(context.Background(), asked)
			if err != nil {
				t.Fatal(err)
			}

			if len(answers) != 1 || !slices.Equal(answers[0].Values, tt.want) {
				t.Errorf("answers = %+v, want values %q", answers, tt.want)
			}
		})
	}
}

func TestLookupTXTAsksAgainForATargetLeftOutOfTheAnswer(t *testing.T) {
	t.Parallel()

	lazy := txtWorld(t)
	lazy.stopAtAlias = true

	var rec recorder

	c := newClient(t, Config{Resolvers: []string{mustServe(t, rec.wrap(lazy))}})

	answers, err := c.LookupTXT(context.Background(), "_validation-persist.alias.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if len(answers) != 1 || !slices.Equal(answers[0].Values, []string{valueB}) || answers[0].Name != "target.other.net." {
		t.Errorf("answers = %+v, want %q at target.other.net.", answers, valueB)
	}

	if q := rec.all(); len(q) != 2 || q[1].msg.Question[0].Name != "target.other.net." {
		t.Errorf("want a second query for the CNAME target, got %d queries", len(q))
	}
}

func TestLookupTXTRefusesBadAliasChains(t *testing.T) {
	t.Parallel()

	chain := func(n int) []string {
		var lines []string
		for i := range n {
			lines = append(lines, fmt.Sprintf("c%d.example.com. 300 IN CNAME c%d.example.com.", i, i+1))
		}

		return append(lines, txtLine(fmt.Sprintf("c%d.example.com.", n), valueA))
	}

	tests := []struct {
		name    string
		lines   []string
		wantErr bool
	}{
		{"eight hops are followed", chain(8), false},
		{"nine hops are too many", chain(9), true},
		{"a loop is refused", []string{
			"c0.example.com. 300 IN CNAME c1.example.com.",
			"c1.example.com. 300 IN CNAME c0.example.com.",
		}, true},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			store := newStore(t, []string{"example.com."}, append([]string{soaExample}, tt.lines...)...)
			c := newClient(t, Config{Resolvers: []string{mustServe(t, store)}})

			answers, err := c.LookupTXT(context.Background(), "c0.example.com.")
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "alias chain") {
					t.Errorf("LookupTXT = %+v, %v; want an alias chain error", answers, err)
				}

				return
			}

			if err != nil || len(answers) != 1 || !slices.Equal(answers[0].Values, []string{valueA}) {
				t.Errorf("LookupTXT = %+v, %v; want %q", answers, err, valueA)
			}
		})
	}
}
