//go:build light

package main

import (
	"fmt"
	"slices"

	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/providers/dns/exec"
	"github.com/go-acme/lego/v4/providers/dns/httpreq"
	"github.com/go-acme/lego/v4/providers/dns/manual"
	"github.com/go-acme/lego/v4/providers/dns/rfc2136"
)

// legoDNSProvider is the light build's --dns NAME: lego's own rfc2136
// (alias dnsupdate), exec, httpreq and manual providers, imported one by
// one instead of lego's factory of ~180. Any other name lego knows is
// refused with an error naming the full build.
func legoDNSProvider(name string) (challenge.Provider, error) {
	switch name {
	case "rfc2136", "dnsupdate":
		return rfc2136.NewDNSProvider()
	case "exec":
		return exec.NewDNSProvider()
	case "httpreq":
		return httpreq.NewDNSProvider()
	case "manual":
		return manual.NewDNSProvider()
	}

	if slices.Contains(legoDNSNames, name) {
		return nil, fmt.Errorf("dns-01 provider %s is not in the light build; use the full lego-persist build, "+
			"or one of rfc2136, exec, httpreq, manual", name)
	}

	return nil, fmt.Errorf("unrecognized DNS provider: %s (the light build has rfc2136, exec, httpreq, manual)", name)
}

// legoDNSHelp is the light build's stand-in for lego's `dnshelp --code`:
// the light binary does not link lego's help texts, so it says where they
// are. The bool reports whether lego knows the name.
func legoDNSHelp(name string) ([]byte, bool) {
	if !slices.Contains(legoDNSNames, name) {
		return nil, false
	}

	switch name {
	case "rfc2136", "dnsupdate", "exec", "httpreq", "manual":
		return fmt.Appendf(nil, "lego's %[1]s dns-01 provider (--dns %[1]s) is in this light build; "+
			"its variables: `lego dnshelp --code %[1]s` (lego's CLI or the full lego-persist build)\n", name), true
	}

	return fmt.Appendf(nil, "lego's %[1]s dns-01 provider (--dns %[1]s) is not in the light build; use the full lego-persist build\n", name), true
}
