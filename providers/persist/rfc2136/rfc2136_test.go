package rfc2136

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/miekg/dns"
)

const (
	recordName = "_validation-persist.www.example.com."
	valueA     = "ca.example; accounturi=https://ca.example/acct/1"
	valueB     = "other-ca.example; accounturi=https://other-ca.example/acct/2"
)

var valueLong = "ca.example; accounturi=https://ca.example/acct/" + strings.Repeat("9", 400)

func provider(t *testing.T, server string, mutate ...func(*Config)) *DNSProvider {
	t.Helper()

	cfg := &Config{Nameserver: server, TSIGKey: testKey, TSIGSecret: testSecret, DNSTimeout: 2 * time.Second}
	for _, m := range mutate {
		m(cfg)
	}

	p, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return p
}

func TestPublishSendsOneSignedInsertOfOneTXTRR(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name  string
		value string
	}{
		{"short value is one string", valueA},
		{"long value is split into 255-octet strings", valueLong},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			srv := &updateServer{zones: []string{"example.com."}}
			p := provider(t, start(t, srv, nil))

			if err := p.Publish(context.Background(), "_validation-persist.WWW.example.com", tt.value); err != nil {
				t.Fatal(err)
			}

			updates := srv.received()
			if len(updates) != 1 {
				t.Fatalf("server got %d updates, want exactly 1", len(updates))
			}

			u := updates[0]
			if u.Opcode != dns.OpcodeUpdate || len(u.Question) != 1 || u.Question[0].Name != "example.com." || u.Question[0].Qtype != dns.TypeSOA {
				t.Errorf("zone section = %v (opcode %d), want example.com. SOA in an UPDATE", u.Question, u.Opcode)
			}

			// One prerequisite: no CNAME at the name (RFC 2136 §2.4.3), so
			// an update at an alias fails instead of being ignored.
			if len(u.Answer) != 1 || u.Answer[0].Header().Rrtype != dns.TypeCNAME || u.Answer[0].Header().Class != dns.ClassNONE ||
				u.Answer[0].Header().Name != "_validation-persist.www.example.com." {
				t.Errorf("update prerequisites %v, want exactly 'no CNAME at the name'", u.Answer)
			}

			if len(u.Ns) != 1 {
				t.Fatalf("update section = %v, want exactly one RR", u.Ns)
			}

			txt, ok := u.Ns[0].(*dns.TXT)
			if !ok {
				t.Fatalf("update RR = %v, want a TXT", u.Ns[0])
			}

			if txt.Hdr.Class != dns.ClassINET || txt.Hdr.Ttl != DefaultTTL || txt.Hdr.Name != recordName {
				t.Errorf("RR header = %+v, want %s IN TTL %d (RFC 2136 §2.5.1 add)", txt.Hdr, recordName, DefaultTTL)
			}

			if want := record.Split(tt.value); !slices.Equal(txt.Txt, want) {
				t.Errorf("TXT strings = %q, want %q", txt.Txt, want)
			}

			if tsig := u.IsTsig(); tsig == nil || tsig.Hdr.Name != testKey || tsig.Algorithm != dns.HmacSHA256 {
				t.Errorf("TSIG = %v, want signed by %s with hmac-sha256", tsig, testKey)
			}
		})
	}
}

func TestPublishKeepsOtherValuesAndUnpublishRemovesOnlyItsOwn(t *testing.T) {
	t.Parallel()

	srv := &updateServer{zones: []string{"example.com."}}
	p := provider(t, start(t, srv, nil))
	ctx := context.Background()

	for _, v := range []string{valueB, valueA, valueA} {
		if err := p.Publish(ctx, recordName, v); err != nil {
			t.Fatal(err)
		}
	}

	if got := srv.values(recordName); len(got) != 2 {
		t.Fatalf("after publishing B, A, A the server holds %q, want B and A", got)
	}

	if err := p.Unpublish(ctx, recordName, valueA); err != nil {
		t.Fatal(err)
	}

	if got := srv.values(recordName); len(got) != 1 || !slices.Equal(got[0], []string{valueB}) {
		t.Errorf("after unpublishing A the server holds %q, want only B", got)
	}

	updates := srv.received()
	del := updates[len(updates)-1]

	if len(del.Ns) != 1 {
		t.Fatalf("delete update section = %v, want exactly one RR", del.Ns)
	}

	h := del.Ns[0].Header()
	if h.Class != dns.ClassNONE || h.Ttl != 0 || h.Rrtype != dns.TypeTXT {
		t.Errorf("delete RR header = %+v, want class NONE TTL 0 TXT (RFC 2136 §2.5.4)", h)
	}

	for _, u := range updates {
		for _, rr := range u.Ns {
			if rr.Header().Class == dns.ClassANY {
				t.Errorf("an update deletes a whole RRset: %v", rr)
			}
		}
	}
}

func TestUnpublishOfALongValueMatchesItsSplitForm(t *testing.T) {
	t.Parallel()

	srv := &updateServer{zones: []string{"example.com."}}
	p := provider(t, start(t, srv, nil))
	ctx := context.Background()

	for _, v := range []string{valueLong, valueB} {
		if err := p.Publish(ctx, recordName, v); err != nil {
			t.Fatal(err)
		}
	}

	if err := p.Unpublish(ctx, recordName, valueLong); err != nil {
		t.Fatal(err)
	}

	if got := srv.values(recordName); len(got) != 1 || !slices.Equal(got[0], []string{valueB}) {
		t.Errorf("server holds %q, want only B", got)
	}
}

func TestZoneChoice(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"found by SOA at the nameserver", func(*Config) {}, "www.example.com."},
		{"configured zone", func(c *Config) { c.Zone = "Example.com" }, "example.com."},
		{"longest of the configured zones", func(c *Config) { c.Zones = []string{"example.com", "www.example.com.", "other.net"} }, "www.example.com."},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			srv := &updateServer{zones: []string{"example.com.", "www.example.com."}}
			p := provider(t, start(t, srv, nil), tt.mutate)

			if err := p.Publish(context.Background(), recordName, valueA); err != nil {
				t.Fatal(err)
			}

			if u := srv.received(); len(u) != 1 || u[0].Question[0].Name != tt.want {
				t.Errorf("update went to zone %v, want %s", u[0].Question, tt.want)
			}
		})
	}
}

func TestZoneOutsideConfiguredZonesIsAnError(t *testing.T) {
	t.Parallel()

	srv := &updateServer{zones: []string{"example.com."}}
	p := provider(t, start(t, srv, nil), func(c *Config) { c.Zones = []string{"other.net"} })

	err := p.Publish(context.Background(), recordName, valueA)
	if err == nil || !strings.Contains(err.Error(), EnvZones) || !strings.Contains(err.Error(), recordName) {
		t.Errorf("error = %v, want one naming %s and %s", err, recordName, EnvZones)
	}

	if len(srv.received()) != 0 {
		t.Error("an update was sent anyway")
	}
}

// failure is one way an update goes wrong, and what the error must say.
type failure struct {
	name  string
	setup func(t *testing.T) (server string, mutate func(*Config))
	want  []string
	check func(error) bool
}

func failures() []failure {
	rcodeServer := func(rcode int) func(t *testing.T) (string, func(*Config)) {
		return func(t *testing.T) (string, func(*Config)) {
			return start(t, &updateServer{zones: []string{"example.com."}, rcode: rcode}, nil), nil
		}
	}

	isRcode := func(rcode int) func(error) bool {
		return func(err error) bool {
			var rc *RcodeError
			return errors.As(err, &rc) && rc.Rcode == rcode
		}
	}

	isTSIG := func(code uint16) func(error) bool {
		return func(err error) bool {
			var te *TSIGError
			return errors.As(err, &te) && te.Code == code
		}
	}

	return []failure{
		{
			name: "wrong secret",
			setup: func(t *testing.T) (string, func(*Config)) {
				return start(t, &updateServer{zones: []string{"example.com."}}, nil), func(c *Config) {
					c.TSIGSecret = "V3JvbmdTZWNyZXRXcm9uZ1NlY3JldFdyb25nU2VjcmV0IQ=="
				}
			},
			want:  []string{"(BADSIG)", "check DNSUPDATE_TSIG_KEY/DNSUPDATE_TSIG_SECRET"},
			check: isTSIG(dns.RcodeBadSig),
		},
		{
			name: "unknown key",
			setup: func(t *testing.T) (string, func(*Config)) {
				return start(t, &updateServer{zones: []string{"example.com."}}, nil), func(c *Config) { c.TSIGKey = "stranger" }
			},
			want:  []string{"(BADKEY)", EnvTSIGKey},
			check: isTSIG(dns.RcodeBadKey),
		},
		{
			name: "zone lookup refused by a server authoritative for nothing above the name",
			setup: func(t *testing.T) (string, func(*Config)) {
				return start(t, &updateServer{zones: []string{"other.net."}}, nil), nil
			},
			want: []string{"REFUSED", EnvZones},
			check: func(err error) bool {
				var rc *dnsq.RcodeError
				return errors.As(err, &rc) && rc.Rcode == dns.RcodeRefused && rc.Qtype == dns.TypeSOA
			},
		},
		{name: "REFUSED", setup: rcodeServer(dns.RcodeRefused), want: []string{"REFUSED", "this server refuses updates for example.com.", "update-policy"}, check: isRcode(dns.RcodeRefused)},
		{name: "NOTAUTH", setup: rcodeServer(dns.RcodeNotAuth), want: []string{"NOTAUTH", "not authoritative"}, check: isRcode(dns.RcodeNotAuth)},
		{name: "NOTZONE", setup: rcodeServer(dns.RcodeNotZone), want: []string{"NOTZONE", EnvZones}, check: isRcode(dns.RcodeNotZone)},
		{name: "SERVFAIL", setup: rcodeServer(dns.RcodeServerFailure), want: []string{"SERVFAIL"}, check: isRcode(dns.RcodeServerFailure)},
		{
			name: "timeout",
			setup: func(t *testing.T) (string, func(*Config)) {
				return silentServer(t), func(c *Config) { c.Zone = "example.com."; c.DNSTimeout = 100 * time.Millisecond }
			},
			want:  []string{"no answer", EnvDNSTimeout},
			check: func(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) },
		},
		{
			name: "unsigned answer to a signed update",
			setup: func(t *testing.T) (string, func(*Config)) {
				return start(t, &updateServer{zones: []string{"example.com."}, unsignedReplies: true}, nil), nil
			},
			want:  []string{"not TSIG-signed"},
			check: func(error) bool { return true },
		},
		{
			name: "answer with a forged signature",
			setup: func(t *testing.T) (string, func(*Config)) {
				return start(t, &updateServer{zones: []string{"example.com."}}, forgingProvider{}), nil
			},
			want: []string{"does not verify", EnvTSIGSecret},
			check: func(err error) bool {
				return errors.Is(err, dns.ErrSig) || strings.Contains(err.Error(), "bad signature")
			},
		},
	}
}

func TestUpdateFailuresNameTheRecordTheServerAndTheCause(t *testing.T) {
	t.Parallel()

	for _, f := range failures() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()

			server, mutate := f.setup(t)

			var mutators []func(*Config)
			if mutate != nil {
				mutators = append(mutators, mutate)
			}

			p := provider(t, server, mutators...)

			err := p.Publish(context.Background(), recordName, valueA)
			if err == nil {
				t.Fatal("Publish succeeded")
			}

			for _, want := range append([]string{recordName, server}, f.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}

			if !f.check(err) {
				t.Errorf("error %v is not of the expected kind", err)
			}
		})
	}
}

func TestErrorsNeverContainTheSecret(t *testing.T) {
	t.Parallel()

	for _, f := range failures() {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()

			server, mutate := f.setup(t)

			cfg := &Config{Nameserver: server, TSIGKey: testKey, TSIGSecret: testSecret, DNSTimeout: 2 * time.Second}
			if mutate != nil {
				mutate(cfg)
			}

			p, err := NewDNSProviderConfig(cfg)
			if err != nil {
				t.Fatal(err)
			}

			for _, op := range []func(context.Context, string, string) error{p.Publish, p.Unpublish} {
				err := op(context.Background(), recordName, valueA)
				if err == nil {
					t.Fatal("update succeeded")
				}

				for _, secret := range []string{testSecret, cfg.TSIGSecret} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error %q contains the TSIG secret", err)
					}
				}
			}

			if s := p.String(); strings.Contains(s, cfg.TSIGSecret) || strings.Contains(s, testSecret) {
				t.Errorf("String() = %q contains the secret", s)
			}
		})
	}
}

func TestConfigErrorsNeverContainTheSecret(t *testing.T) {
	t.Parallel()

	const notBase64 = "not*base64*but*very*secret"

	tests := []struct {
		name   string
		cfg    Config
		secret string
	}{
		{"secret is not base64", Config{Nameserver: "127.0.0.1", TSIGKey: "k", TSIGSecret: notBase64}, notBase64},
		{"secret without key", Config{Nameserver: "127.0.0.1", TSIGSecret: testSecret}, testSecret},
		{"unknown algorithm", Config{Nameserver: "127.0.0.1", TSIGKey: "k", TSIGSecret: testSecret, TSIGAlgorithm: "hmac-md5"}, testSecret},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			_, err := NewDNSProviderConfig(&tt.cfg)
			if err == nil {
				t.Fatal("NewDNSProviderConfig accepted a bad TSIG setup")
			}

			if strings.Contains(err.Error(), tt.secret) {
				t.Errorf("error %q contains the secret", err)
			}
		})
	}
}

func TestUnsignedUpdatesWhenNoKeyIsConfigured(t *testing.T) {
	t.Parallel()

	srv := &updateServer{zones: []string{"example.com."}}
	p := provider(t, start(t, srv, nil), func(c *Config) { c.TSIGKey, c.TSIGSecret = "", "" })

	if err := p.Publish(context.Background(), recordName, valueA); err != nil {
		t.Fatal(err)
	}

	if u := srv.received(); len(u) != 1 || u[0].IsTsig() != nil {
		t.Errorf("want one unsigned update, got %d (signed: %v)", len(u), len(u) == 1 && u[0].IsTsig() != nil)
	}
}

func TestPublishStopsWhenContextIsCanceled(t *testing.T) {
	t.Parallel()

	p := provider(t, silentServer(t), func(c *Config) { c.Zone = "example.com."; c.DNSTimeout = time.Hour })

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if err := p.Publish(ctx, recordName, valueA); !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
}

func TestNewDNSProviderConfig(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		cfg        Config
		wantServer string
		wantErr    string
	}{
		{"port 53 is added", Config{Nameserver: "ns.example.com"}, "ns.example.com:53", ""},
		{"port is kept", Config{Nameserver: "127.0.0.1:5353"}, "127.0.0.1:5353", ""},
		{"bare IPv6", Config{Nameserver: "::1"}, "[::1]:53", ""},
		{"bracketed IPv6 with port", Config{Nameserver: "[::1]:5353"}, "[::1]:5353", ""},
		{"no nameserver", Config{}, "", EnvNameserver},
		{"key without secret", Config{Nameserver: "::1", TSIGKey: "k"}, "", EnvTSIGSecret},
		{"negative TTL", Config{Nameserver: "::1", TTL: -1}, "", EnvTTL},
		{"missing key file", Config{Nameserver: "::1", TSIGFile: "testdata/missing.key"}, "", EnvTSIGFile},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			p, err := NewDNSProviderConfig(&tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %v, want one naming %s", err, tt.wantErr)
				}

				return
			}

			if err != nil {
				t.Fatal(err)
			}

			if want := "rfc2136(" + tt.wantServer + ")"; p.String() != want {
				t.Errorf("String() = %q, want %q", p.String(), want)
			}
		})
	}
}

func TestNewDNSProviderConfigDoesNotModifyTheConfig(t *testing.T) {
	t.Parallel()

	cfg := Config{Nameserver: "ns.example.com", TSIGKey: "Key", TSIGSecret: testSecret, TSIGAlgorithm: "hmac-sha512", Zones: []string{"a.example", "b.c.example"}}
	orig := cfg
	orig.Zones = slices.Clone(cfg.Zones)

	if _, err := NewDNSProviderConfig(&cfg); err != nil {
		t.Fatal(err)
	}

	if cfg.Nameserver != orig.Nameserver || cfg.TSIGKey != orig.TSIGKey || cfg.TSIGAlgorithm != orig.TSIGAlgorithm || !slices.Equal(cfg.Zones, orig.Zones) {
		t.Errorf("config changed: %+v, was %+v", cfg, orig)
	}
}

func TestEscapedOctetsSurviveTheWire(t *testing.T) {
	t.Parallel()

	srv := &updateServer{zones: []string{"example.com."}}
	p := provider(t, start(t, srv, nil))

	const odd = `quote" backslash\ tab	end`

	if err := p.Publish(context.Background(), recordName, odd); err != nil {
		t.Fatal(err)
	}

	u := srv.received()[0]
	txt := u.Ns[0].(*dns.TXT)

	// Pack the RR received: its RDATA ends the buffer, one character-string.
	buf := make([]byte, 1024)

	off, err := dns.PackRR(txt, buf, 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}

	start := off - len(odd)
	if got := string(buf[start:off]); got != odd || int(buf[start-1]) != len(odd) {
		t.Errorf("wire string = %q (length octet %d), want %q", got, buf[start-1], odd)
	}
}
