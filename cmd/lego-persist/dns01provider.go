//go:build !light

package main

import (
	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/providers/dns"
)

// legoDNSProvider is lego's own dns-01 provider factory for --dns NAME,
// configured from lego's environment variables. It is the CLI's only use
// of lego's provider list, kept alone in this file so that the light
// build can replace it (dns01provider_light.go).
func legoDNSProvider(name string) (challenge.Provider, error) {
	return dns.NewDNSChallengeProviderByName(name)
}
