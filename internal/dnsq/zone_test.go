package dnsq

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/internal/testenv"
	"github.com/miekg/dns"
)

// world is what the fake resolver knows: example.com with a delegated child
// zone, and other.net.
func world(t *testing.T) *zoneStore {
	t.Helper()

	return newStore(t, []string{"example.com.", "sub.example.com.", "other.net."},
		"example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300",
		"example.com. 300 IN NS ns1.example.com.",
		"example.com. 300 IN NS ns2.example.com.",
		"ns1.example.com. 300 IN A 192.0.2.1",
		"ns2.example.com. 300 IN A 192.0.2.2",
		"ns2.example.com. 300 IN AAAA 2001:db8::2",
		"www.example.com. 300 IN A 192.0.2.80",
		"alias.example.com. 300 IN CNAME www.other.net.",
		"sub.example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300",
		"sub.example.com. 300 IN NS ns1.example.com.",
		"other.net. 300 IN SOA ns.other.net. hostmaster.other.net. 1 7200 900 1209600 300",
		"other.net. 300 IN NS ns.other.net.",
		"www.other.net. 300 IN A 192.0.2.90",
	)
}

func TestFindZoneWalksUpToTheZoneApex(t *testing.T) {
	t.Parallel()

	full := mustServe(t, world(t))

	minimal := world(t)
	minimal.noNegativeSOA = true
	bare := mustServe(t, minimal)

	tests := []struct {
		name     string
		resolver string
		fqdn     string
		want     string
	}{
		{"apex answers its own SOA", full, "example.com.", "example.com."},
		{"NXDOMAIN carries the zone SOA", full, "_validation-persist.www.example.com.", "example.com."},
		{"NODATA carries the zone SOA", full, "www.example.com.", "example.com."},
		{"delegated child zone", full, "_validation-persist.sub.example.com.", "sub.example.com."},
		{"alias is not an apex", full, "alias.example.com.", "example.com."},
		{"names compare case-insensitively", full, "_Validation-Persist.WWW.Example.COM", "example.com."},
		{"negative answers without SOA walk up", bare, "_validation-persist.www.example.com.", "example.com."},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			c := newClient(t, Config{Resolvers: []string{tt.resolver}})

			got, err := c.FindZone(context.Background(), tt.fqdn)
			if err != nil {
				t.Fatal(err)
			}

			if got != tt.want {
				t.Errorf("FindZone(%s) = %s, want %s", tt.fqdn, got, tt.want)
			}
		})
	}
}

func TestFindZoneErrorNamesTheNameAndTheRcode(t *testing.T) {
	t.Parallel()

	c := newClient(t, Config{Resolvers: []string{mustServe(t, rcodeHandler(dns.RcodeServerFailure))}})

	_, err := c.FindZone(context.Background(), "_validation-persist.example.com.")
	if err == nil {
		t.Fatal("FindZone through a SERVFAILing resolver succeeded")
	}

	var rc *RcodeError
	if !errors.As(err, &rc) || rc.Rcode != dns.RcodeServerFailure {
		t.Errorf("error %v does not carry the SERVFAIL RcodeError", err)
	}

	for _, want := range []string{"_validation-persist.example.com.", "SERVFAIL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestFindZoneFailsWithoutAnySOA(t *testing.T) {
	t.Parallel()

	// Every name is NXDOMAIN and no answer names a zone: the walk must end
	// in an error, not a made-up zone.
	empty := newStore(t, []string{"."})
	c := newClient(t, Config{Resolvers: []string{mustServe(t, empty)}})

	if zone, err := c.FindZone(context.Background(), "a.b.example."); err == nil {
		t.Fatalf("FindZone found %q in an empty world", zone)
	}
}

func TestNameserversResolvesEveryNSHostSortedWithPort(t *testing.T) {
	t.Parallel()

	c := newClient(t, Config{Resolvers: []string{mustServe(t, world(t))}, NameserverPort: "5353"})

	got, err := c.Nameservers(context.Background(), "Example.COM")
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"192.0.2.1:5353", "192.0.2.2:5353", "[2001:db8::2]:5353"}
	if !slices.Equal(got, want) {
		t.Errorf("Nameservers = %v, want %v", got, want)
	}
}

func TestNameserversDefaultsToPort53(t *testing.T) {
	t.Parallel()

	c := newClient(t, Config{Resolvers: []string{mustServe(t, world(t))}})

	got, err := c.Nameservers(context.Background(), "sub.example.com.")
	if err != nil {
		t.Fatal(err)
	}

	if want := []string{"192.0.2.1:53"}; !slices.Equal(got, want) {
		t.Errorf("Nameservers = %v, want %v", got, want)
	}
}

func TestNameserversOfANameWithoutNSFails(t *testing.T) {
	t.Parallel()

	c := newClient(t, Config{Resolvers: []string{mustServe(t, world(t))}})

	if got, err := c.Nameservers(context.Background(), "www.example.com."); err == nil {
		t.Fatalf("Nameservers(www.example.com.) = %v, want an error (not a zone)", got)
	}
}

func TestNewValidatesResolvers(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		cfg  Config
	}{
		{"no resolvers", Config{}},
		{"missing port", Config{Resolvers: []string{"127.0.0.1"}}},
		{"bad port", Config{Resolvers: []string{"127.0.0.1:dns"}}},
		{"empty host", Config{Resolvers: []string{":53"}}},
		{"bad nameserver port", Config{Resolvers: []string{"127.0.0.1:53"}, NameserverPort: "70000"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			if _, err := New(tt.cfg); err == nil {
				t.Errorf("New(%+v) succeeded", tt.cfg)
			}
		})
	}
}

func TestSystemResolversReadsResolvConf(t *testing.T) {
	t.Parallel()

	got, err := SystemResolvers(filepath.Join("testdata", "resolv.conf"))
	if err != nil {
		t.Fatal(err)
	}

	want := []string{"192.0.2.53:53", "[2001:db8::53]:53"}
	if !slices.Equal(got, want) {
		t.Errorf("SystemResolvers = %v, want %v", got, want)
	}
}

func TestSystemResolversWithoutNameserverFails(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(path, []byte("search example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if got, err := SystemResolvers(path); err == nil {
		t.Errorf("SystemResolvers = %v, want an error", got)
	}
}

func TestResolverAddressesMayBeIPv6(t *testing.T) {
	t.Parallel()

	addr, err := serve(t, "::1", "0", world(t))
	if err != nil {
		testenv.SkipOrFail(t, "no IPv6 loopback: %v", err)
	}

	if _, _, err := net.SplitHostPort(addr); err != nil || !strings.HasPrefix(addr, "[::1]:") {
		t.Fatalf("unexpected address %q", addr)
	}

	c := newClient(t, Config{Resolvers: []string{addr}})

	if zone, err := c.FindZone(context.Background(), "www.example.com"); err != nil || zone != "example.com." {
		t.Errorf("FindZone over IPv6 = %q, %v", zone, err)
	}
}
