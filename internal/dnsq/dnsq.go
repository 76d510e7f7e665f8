// Package dnsq asks DNS servers the few questions dns-persist-01 needs: which
// zone holds a record name, which servers are authoritative for it, and what
// TXT values each of them serves.
//
// Every query goes to servers the caller configured (Config.Resolvers) or to
// the authoritative servers found through them; the package never reads the
// system resolver configuration on its own (SystemResolvers is an explicit
// helper for callers that want it).
package dnsq

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/miekg/dns"
)

// DefaultTimeout bounds one query (one UDP attempt, or its TCP retry) when
// Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Config configures a Client.
type Config struct {
	// Resolvers are recursive resolvers as "host:port" ("[::1]:53" for IPv6).
	// Required. They are asked in order; the next one is tried only when one
	// fails (timeout, SERVFAIL, REFUSED ...).
	Resolvers []string

	// Timeout bounds each query; DefaultTimeout when zero.
	Timeout time.Duration

	// Authoritative makes LookupTXT ask every authoritative server of the
	// record's zone directly (RD=0) instead of the resolvers, so a check sees
	// what the CA will see, not a cached copy.
	Authoritative bool

	// NameserverPort is the port authoritative servers are asked on ("53" when
	// empty). Real nameservers always listen on 53; this knob exists for tests
	// and unusual setups (an authoritative server behind a port mapping), where
	// every NS host of every zone answers on the same other port.
	NameserverPort string
}

// Client asks DNS questions. It holds no mutable state: one Client may be used
// by many goroutines at once.
type Client struct {
	resolvers     []string
	timeout       time.Duration
	authoritative bool
	nsPort        string
}

// New checks cfg and returns a Client. It fails when no resolver is given or
// a resolver is not "host:port".
func New(cfg Config) (*Client, error) {
	if len(cfg.Resolvers) == 0 {
		return nil, errors.New("dnsq: no resolvers configured; give at least one host:port")
	}

	resolvers := make([]string, 0, len(cfg.Resolvers))

	for _, r := range cfg.Resolvers {
		host, port, err := net.SplitHostPort(r)
		if err != nil {
			return nil, fmt.Errorf("dnsq: resolver %q: %w (want host:port, [v6addr]:port for IPv6)", r, err)
		}

		if host == "" {
			return nil, fmt.Errorf("dnsq: resolver %q: empty host", r)
		}

		if err := checkPort(port); err != nil {
			return nil, fmt.Errorf("dnsq: resolver %q: %w", r, err)
		}

		resolvers = append(resolvers, r)
	}

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}

	nsPort := cfg.NameserverPort
	if nsPort == "" {
		nsPort = "53"
	}

	if err := checkPort(nsPort); err != nil {
		return nil, fmt.Errorf("dnsq: nameserver port: %w", err)
	}

	return &Client{
		resolvers:     resolvers,
		timeout:       timeout,
		authoritative: cfg.Authoritative,
		nsPort:        nsPort,
	}, nil
}

func checkPort(port string) error {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid port %q", port)
	}

	return nil
}

// ResolvConf is the system's resolver configuration, read only where a
// caller gave no resolvers (SystemResolvers(ResolvConf)).
const ResolvConf = "/etc/resolv.conf"

// SystemResolvers reads a resolv.conf file (usually /etc/resolv.conf) and
// returns its nameservers as "host:port". Callers use it only when the user
// gave no resolvers.
func SystemResolvers(path string) ([]string, error) {
	conf, err := dns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("dnsq: reading %s: %w", path, err)
	}

	port := conf.Port
	if port == "" {
		port = "53"
	}

	servers := make([]string, 0, len(conf.Servers))
	for _, s := range conf.Servers {
		servers = append(servers, net.JoinHostPort(s, port))
	}

	if len(servers) == 0 {
		return nil, fmt.Errorf("dnsq: %s lists no nameserver", path)
	}

	return servers, nil
}
