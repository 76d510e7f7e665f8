// Package rfc2136 publishes dns-persist-01 records by DNS dynamic update
// (RFC 2136), signed with TSIG (RFC 8945) or GSS-TSIG (RFC 3645, Kerberos,
// as Active Directory DNS wants it), the way lego's rfc2136 DNS provider
// does for dns-01, with the same environment variables.
//
// Unlike a dns-01 provider it never replaces the TXT set: Publish adds one RR
// (RFC 2136 §2.5.1) and Unpublish deletes exactly that RR (§2.5.4), so other
// CAs' and accounts' records at the same name stay.
package rfc2136

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/miekg/dns"
)

// Defaults.
const (
	// DefaultTTL is long on purpose: a dns-persist-01 record is meant to stay,
	// and a CA may reuse validation data no longer than the record's TTL.
	DefaultTTL = 3600
	// DefaultDNSTimeout bounds each update and SOA query.
	DefaultDNSTimeout = 10 * time.Second
	// DefaultTSIGAlgorithm is HMAC-SHA256, what BIND's tsig-keygen and
	// Knot's keymgr generate by default. Note: lego's rfc2136 provider
	// defaults to hmac-sha1 instead; set DNSUPDATE_TSIG_ALGORITHM when a
	// lego setup relied on that default.
	DefaultTSIGAlgorithm = dns.HmacSHA256
)

// tsigFudge is the allowed clock skew in seconds (RFC 8945 §5.2.3 suggests 300).
const tsigFudge = 300

// Config configures a DNSProvider.
type Config struct {
	// Nameserver is the primary server taking updates: "host" or
	// "host:port" (port 53 when omitted; "[::1]:53" or "::1" for IPv6).
	Nameserver string

	// TSIGKey is the key name, TSIGSecret its base64 secret, TSIGAlgorithm
	// one of hmac-sha1, hmac-sha224, hmac-sha256 (the default), hmac-sha384,
	// hmac-sha512. With no key and no secret, updates go unsigned (for
	// servers that allow updates by address).
	TSIGKey, TSIGSecret, TSIGAlgorithm string

	// TSIGGSSRealm, TSIGGSSUsername and TSIGGSSPassword or
	// TSIGGSSKeytabFile are the Kerberos credentials of GSS-TSIG (RFC 3645),
	// used when TSIGAlgorithm is "gss-tsig" (as in lego; for Active
	// Directory DNS). Updates are then sent over TCP after a TKEY
	// negotiation; TSIGKey, TSIGSecret and TSIGFile must be empty.
	TSIGGSSRealm, TSIGGSSUsername, TSIGGSSPassword, TSIGGSSKeytabFile string

	// TSIGFile is a BIND key file (`key "name" { algorithm hmac-sha256;
	// secret "base64"; };`); when set, its key, secret and algorithm are used
	// instead of the fields above (as in lego).
	TSIGFile string

	// TTL of published records in seconds; DefaultTTL when zero.
	TTL int

	// DNSTimeout bounds each query; DefaultDNSTimeout when zero.
	DNSTimeout time.Duration

	// Zone is the zone every record is updated in. Optional.
	Zone string

	// Zones (DNSUPDATE_ZONES) lists the zones the server takes updates
	// for; the longest one holding the record name is used. Optional.
	//
	// When Zone and Zones are both empty, the zone is found by SOA queries
	// at Nameserver, walking up from the record name.
	Zones []string
}

// NewDefaultConfig returns a Config with the defaults, overridden by the
// DNSUPDATE_TSIG_ALGORITHM, DNSUPDATE_TTL and DNSUPDATE_DNS_TIMEOUT
// environment variables (or their RFC2136_* twins) when set.
func NewDefaultConfig() *Config {
	return &Config{
		TSIGAlgorithm: getString(EnvTSIGAlgorithm, DefaultTSIGAlgorithm),
		TTL:           getInt(EnvTTL, DefaultTTL),
		DNSTimeout:    getSeconds(EnvDNSTimeout, DefaultDNSTimeout),
	}
}

// DNSProvider publishes records by RFC 2136 dynamic update. It is safe for
// concurrent use.
type DNSProvider struct {
	nameserver string
	key        string // canonical key name; empty: unsigned
	secret     string
	algorithm  string // canonical algorithm name
	ttl        uint32
	timeout    time.Duration
	zone       string
	zones      []string // canonical, longest first
	finder     *dnsq.Client
	gss        *gssCredentials // GSS-TSIG instead of an HMAC key
}

// NewDNSProvider returns a DNSProvider configured from the environment:
// DNSUPDATE_NAMESERVER (required), DNSUPDATE_TSIG_KEY, DNSUPDATE_TSIG_SECRET,
// DNSUPDATE_TSIG_ALGORITHM, DNSUPDATE_TSIG_FILE, DNSUPDATE_TTL,
// DNSUPDATE_DNS_TIMEOUT (seconds), DNSUPDATE_ZONES (comma-separated) and,
// with DNSUPDATE_TSIG_ALGORITHM=gss-tsig, DNSUPDATE_TSIG_GSS_REALM,
// _USERNAME, _PASSWORD and _KEYTAB_FILE, each falling back to its RFC2136_* twin and readable from a file named by
// NAME_FILE.
func NewDNSProvider() (*DNSProvider, error) {
	values, err := env.GetWithFallback([]string{EnvNameserver, altEnvName(EnvNameserver)})
	if err != nil {
		return nil, fmt.Errorf("rfc2136: %w (or %s; either also as _FILE)", err, altEnvName(EnvNameserver))
	}

	for _, name := range []string{EnvTTL, EnvDNSTimeout} {
		if err := checkNumber(name); err != nil {
			return nil, fmt.Errorf("rfc2136: %w", err)
		}
	}

	cfg := NewDefaultConfig()
	cfg.Nameserver = values[EnvNameserver]
	cfg.TSIGFile = getString(EnvTSIGFile, "")
	cfg.TSIGKey = getString(EnvTSIGKey, "")
	cfg.TSIGSecret = getString(EnvTSIGSecret, "")
	cfg.Zones = splitList(getString(EnvZones, ""))
	cfg.TSIGGSSRealm = getGSSString(EnvTSIGGSSRealm)
	cfg.TSIGGSSUsername = getGSSString(EnvTSIGGSSUsername)
	cfg.TSIGGSSPassword = getGSSString(EnvTSIGGSSPassword)
	cfg.TSIGGSSKeytabFile = getGSSString(EnvTSIGGSSKeytabFile)

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider; cfg is not
// modified. Errors name the setting at fault, never the secret.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("rfc2136: the configuration is nil")
	}

	ns, err := withPort(cfg.Nameserver)
	if err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}

	d := &DNSProvider{nameserver: ns, timeout: cfg.DNSTimeout}

	if d.timeout == 0 {
		d.timeout = DefaultDNSTimeout
	}

	if d.timeout < 0 {
		return nil, fmt.Errorf("rfc2136: negative DNS timeout %s (%s)", cfg.DNSTimeout, EnvDNSTimeout)
	}

	switch {
	case cfg.TTL == 0:
		d.ttl = DefaultTTL
	case cfg.TTL < 0 || cfg.TTL > 0x7fffffff: // RFC 2181 §8
		return nil, fmt.Errorf("rfc2136: TTL %d out of range (%s)", cfg.TTL, EnvTTL)
	default:
		d.ttl = uint32(cfg.TTL)
	}

	if err := d.setTSIG(cfg); err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}

	if cfg.Zone != "" {
		d.zone = dns.CanonicalName(cfg.Zone)
	}

	for _, z := range cfg.Zones {
		if z = strings.TrimSpace(z); z != "" {
			d.zones = append(d.zones, dns.CanonicalName(z))
		}
	}

	slices.SortFunc(d.zones, func(a, b string) int { return dns.CountLabel(b) - dns.CountLabel(a) })

	d.finder, err = dnsq.New(dnsq.Config{Resolvers: []string{ns}, Timeout: d.timeout})
	if err != nil {
		return nil, fmt.Errorf("rfc2136: %w", err)
	}

	return d, nil
}

// withPort adds port 53 to a nameserver given without one.
func withPort(ns string) (string, error) {
	ns = strings.TrimSpace(ns)
	if ns == "" {
		return "", fmt.Errorf("nameserver missing (%s)", EnvNameserver)
	}

	if _, _, err := net.SplitHostPort(ns); err == nil {
		return ns, nil
	}

	// A bare host, or a bare IPv6 address ("::1").
	if ip := net.ParseIP(strings.Trim(ns, "[]")); ip != nil {
		return net.JoinHostPort(ip.String(), "53"), nil
	}

	if strings.ContainsAny(ns, ":[]") {
		return "", fmt.Errorf("nameserver %q: want host or host:port (%s)", ns, EnvNameserver)
	}

	return net.JoinHostPort(ns, "53"), nil
}

func (d *DNSProvider) setTSIG(cfg *Config) error {
	key, secret, alg := cfg.TSIGKey, cfg.TSIGSecret, cfg.TSIGAlgorithm

	if isGSS(alg) {
		g, err := newGSSCredentials(cfg)
		if err != nil {
			return err
		}

		d.gss = g

		return nil
	}

	if cfg.TSIGFile != "" {
		k, err := readTSIGFile(cfg.TSIGFile)
		if err != nil {
			return fmt.Errorf("%s: %w", EnvTSIGFile, err)
		}

		key, secret = k.Name, k.Secret
		if k.Algorithm != "" {
			alg = k.Algorithm
		}
	}

	switch {
	case key == "" && secret == "":
		return nil // unsigned updates
	case key == "":
		return fmt.Errorf("TSIG secret given without a key name: set %s", EnvTSIGKey)
	case secret == "":
		return fmt.Errorf("TSIG key %q given without its secret: set %s", key, EnvTSIGSecret)
	}

	if _, err := base64.StdEncoding.DecodeString(secret); err != nil {
		return fmt.Errorf("%s is not valid base64 (check for a truncated copy)", EnvTSIGSecret)
	}

	canonicalAlg, err := tsigAlgorithm(alg)
	if err != nil {
		return err
	}

	// RFC 8945 §4.2: key names compare in canonical (lowercase) form, and
	// miekg/dns looks secrets up by that form.
	d.key, d.secret, d.algorithm = dns.CanonicalName(key), secret, canonicalAlg

	return nil
}

func tsigAlgorithm(alg string) (string, error) {
	if alg == "" {
		return DefaultTSIGAlgorithm, nil
	}

	a := dns.CanonicalName(alg)

	switch a {
	case dns.HmacSHA1, dns.HmacSHA224, dns.HmacSHA256, dns.HmacSHA384, dns.HmacSHA512:
		return a, nil
	default:
		return "", fmt.Errorf("unsupported TSIG algorithm %q (%s): use hmac-sha256 (or hmac-sha1, -sha224, -sha384, -sha512, or gss-tsig)", alg, EnvTSIGAlgorithm)
	}
}

// String names the provider and its server, never the key or secret.
func (d *DNSProvider) String() string {
	return "rfc2136(" + d.nameserver + ")"
}
