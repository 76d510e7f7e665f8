//go:build !light

package main

import (
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
)

func TestDNSHelpListsEveryPublisherWithItsVariables(t *testing.T) {
	code, out, _ := runCLI(t, "dnshelp")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}

	for _, p := range dnsproviders.All() {
		if !strings.Contains(out, "\n"+p.Name+" ") && !strings.HasPrefix(out, p.Name+" ") {
			t.Errorf("publisher %s not listed", p.Name)
		}

		for _, e := range p.Env {
			if !strings.Contains(out, "  "+e.Name+" ") {
				t.Errorf("%s: variable %s not listed", p.Name, e.Name)
			}
		}
	}

	if strings.Contains(out, "lego's own help") {
		t.Error("the list without --code shows lego's provider help")
	}
}

func TestDNSHelpCodeExplainsLegosFallbackProvider(t *testing.T) {
	tests := []struct {
		code     string
		want     []string // in the output
		wantLego bool
	}{
		// A publisher that is also a lego provider: both, lego's from lego's own dnshelp data.
		{code: "cloudflare", want: []string{"CLOUDFLARE_DNS_API_TOKEN", "concurrent writers"}, wantLego: true},
		// An alias: the publisher under lego's name, and lego's pdns.
		{code: "powerdns", want: []string{"pdns ", "PDNS_API_URL", "go-acme.github.io/lego/dns/pdns"}, wantLego: true},
		// lego only: no publisher, lego's provider explained.
		{code: "exoscale", want: []string{"no --dns-persist publisher named \"exoscale\"", "EXOSCALE_API_KEY"}, wantLego: true},
		// A publisher lego does not have.
		{code: "manual", want: []string{"manual "}, wantLego: true},
		{code: "rfc2136", want: []string{"DNSUPDATE_NAMESERVER"}, wantLego: true},
		{code: "none", want: []string{"none "}},
		{code: "namecheap", want: []string{"refused: Namecheap's API has no call that adds one record"}, wantLego: true},
	}

	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			code, out, errOut := runCLI(t, "dnshelp", "--code", tt.code)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}

			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}

			if got := strings.Contains(out, "lego's own help for it"); got != tt.wantLego {
				t.Errorf("lego's help shown = %v, want %v:\n%s", got, tt.wantLego, out)
			}
		})
	}
}

func TestDNSHelpUnknownCodeIsAUsageError(t *testing.T) {
	code, _, errOut := runCLI(t, "dnshelp", "--code", "nosuchdns")
	if code != exitUsage || !strings.Contains(errOut, "nosuchdns") || !strings.Contains(errOut, "cloudflare") {
		t.Errorf("exit %d, stderr %q; want a usage error naming the code and the publishers", code, errOut)
	}
}
