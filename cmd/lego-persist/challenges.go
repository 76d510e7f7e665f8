package main

import (
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/challenge/dns01"
	"github.com/go-acme/lego/v4/challenge/http01"
	"github.com/go-acme/lego/v4/challenge/tlsalpn01"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/providers/http/memcached"
	"github.com/go-acme/lego/v4/providers/http/webroot"
	"github.com/urfave/cli/v2"
)

// setupFallback configures client.Challenge from lego's --http, --tls and
// --dns flags, exactly as lego does, and returns what it configured
// ("http-01 (127.0.0.1:80)", "dns-01 (rfc2136)") for the log. These lego
// solvers take the authorizations that dns-persist-01 does not: those
// that offer no dns-persist-01, and, without a --dns-persist publisher,
// those without a valid record. None of them is required.
func setupFallback(c *cli.Context, client *lego.Client) ([]string, error) {
	var configured []string

	if c.Bool(flgHTTP) {
		p, where, err := httpProvider(c)
		if err != nil {
			return nil, err
		}

		if err := client.Challenge.SetHTTP01Provider(p, http01.SetDelay(c.Duration(flgHTTPDelay))); err != nil {
			return nil, fmt.Errorf("--%s: %w", flgHTTP, err)
		}

		configured = append(configured, "http-01 ("+where+")")
	}

	if c.Bool(flgTLS) {
		p, err := tlsProvider(c)
		if err != nil {
			return nil, err
		}

		if err := client.Challenge.SetTLSALPN01Provider(p, tlsalpn01.SetDelay(c.Duration(flgTLSDelay))); err != nil {
			return nil, fmt.Errorf("--%s: %w", flgTLS, err)
		}

		configured = append(configured, "tls-alpn-01 ("+c.String(flgTLSPort)+")")
	}

	if c.IsSet(flgDNS) {
		if err := setupDNS01(c, client); err != nil {
			return nil, err
		}

		configured = append(configured, "dns-01 ("+c.String(flgDNS)+")")
	}

	return configured, nil
}

// sharesListener reports whether the fallback runs its own listener, which
// parallel orders would fight over.
func sharesListener(c *cli.Context) bool {
	httpServer := c.Bool(flgHTTP) && !c.IsSet(flgHTTPWebroot) && !c.IsSet(flgHTTPMemcachedHost) && !c.IsSet(flgHTTPS3Bucket)

	return httpServer || c.Bool(flgTLS)
}

// httpProvider is lego's http-01 provider for the flags, and where it
// serves the challenge (for the log).
func httpProvider(c *cli.Context) (challenge.Provider, string, error) {
	switch {
	case c.IsSet(flgHTTPWebroot):
		p, err := webroot.NewHTTPProvider(c.String(flgHTTPWebroot))
		if err != nil {
			return nil, "", fmt.Errorf("--%s: %w", flgHTTPWebroot, err)
		}

		return p, "webroot " + c.String(flgHTTPWebroot), nil
	case c.IsSet(flgHTTPMemcachedHost):
		p, err := memcached.NewMemcachedProvider(c.StringSlice(flgHTTPMemcachedHost))
		if err != nil {
			return nil, "", fmt.Errorf("--%s: %w", flgHTTPMemcachedHost, err)
		}

		return p, "memcached", nil
	case c.IsSet(flgHTTPS3Bucket):
		p, err := s3HTTPProvider(c.String(flgHTTPS3Bucket))
		if err != nil {
			return nil, "", fmt.Errorf("--%s: %w", flgHTTPS3Bucket, err)
		}

		return p, "s3 bucket " + c.String(flgHTTPS3Bucket), nil
	default:
		host, port := "", ""

		if c.IsSet(flgHTTPPort) {
			var err error

			host, port, err = splitIface(c.String(flgHTTPPort))
			if err != nil {
				return nil, "", usageErrorf("--%s: %w", flgHTTPPort, err)
			}
		}

		srv := http01.NewProviderServer(host, port)
		if header := c.String(flgHTTPProxyHeader); header != "" {
			srv.SetProxyHeader(header)
		}

		return srv, c.String(flgHTTPPort), nil
	}
}

func tlsProvider(c *cli.Context) (challenge.Provider, error) {
	if !c.IsSet(flgTLSPort) {
		return tlsalpn01.NewProviderServer("", ""), nil
	}

	host, port, err := splitIface(c.String(flgTLSPort))
	if err != nil {
		return nil, usageErrorf("--%s: %w", flgTLSPort, err)
	}

	return tlsalpn01.NewProviderServer(host, port), nil
}

func splitIface(iface string) (string, string, error) {
	if !strings.Contains(iface, ":") {
		return "", "", fmt.Errorf("%q: only interface:port or :port are accepted", iface)
	}

	return net.SplitHostPort(iface)
}

func setupDNS01(c *cli.Context, client *lego.Client) error {
	provider, err := legoDNSProvider(c.String(flgDNS))
	if err != nil {
		return fmt.Errorf("--%s %s: %w", flgDNS, c.String(flgDNS), err)
	}

	servers := c.StringSlice(flgDNSResolvers)
	wait := c.Duration(flgDNSPropagationWait)

	err = client.Challenge.SetDNS01Provider(provider,
		dns01.CondOption(len(servers) > 0, dns01.AddRecursiveNameservers(dns01.ParseNameservers(servers))),
		dns01.CondOption(c.Bool(flgDNSDisableCP) || c.Bool(flgDNSPropagationDisableANS),
			dns01.DisableAuthoritativeNssPropagationRequirement()),
		dns01.CondOption(wait > 0, dns01.PropagationWait(wait, true)),
		dns01.CondOption(c.Bool(flgDNSPropagationRNS), dns01.RecursiveNSsPropagationRequirement()),
		dns01.CondOption(c.IsSet(flgDNSTimeout), dns01.AddDNSTimeout(time.Duration(c.Int(flgDNSTimeout))*time.Second)),
	)
	if err != nil {
		return fmt.Errorf("--%s: %w", flgDNS, err)
	}

	return nil
}
