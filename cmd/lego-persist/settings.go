package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/urfave/cli/v2"
)

// settings are the global flags, checked. Every check failure is a usage
// error naming the flag.
type settings struct {
	path        string
	server      string
	email       string
	keyType     certcrypto.KeyType
	domains     []string
	csr         string
	lockTimeout time.Duration

	publisher     string
	issuer        string
	persistUntil  time.Time
	wildcard      bool
	anyDomain     bool
	resolvers     []string
	authoritative bool
	dnsTimeout    time.Duration
	persistOpts   []persist.Option
}

var keyTypes = map[string]certcrypto.KeyType{
	"rsa2048": certcrypto.RSA2048,
	"rsa3072": certcrypto.RSA3072,
	"rsa4096": certcrypto.RSA4096,
	"rsa8192": certcrypto.RSA8192,
	"ec256":   certcrypto.EC256,
	"ec384":   certcrypto.EC384,
}

// loadSettings reads and checks the global flags: storage and account
// first, then the domains, then the dns-persist-01 options, then lego's
// solver and output flags.
func loadSettings(c *cli.Context) (*settings, error) {
	s := &settings{
		path:          c.String(flgPath),
		server:        c.String(flgServer),
		email:         c.String(flgEmail),
		csr:           c.String(flgCSR),
		lockTimeout:   c.Duration(flgLockTimeout),
		publisher:     strings.TrimSpace(c.String(flgPersist)),
		issuer:        c.String(flgPersistIssuer),
		wildcard:      c.Bool(flgPersistWildcard),
		anyDomain:     c.Bool(flgPersistAnyDomain),
		authoritative: !c.Bool(flgPersistDisableANS),
	}

	if s.publisher == "" {
		s.publisher = "none"
	}

	if err := s.loadStorage(c); err != nil {
		return nil, err
	}

	domains, err := readDomains(c)
	if err != nil {
		return nil, err
	}

	// Every command sees normalized names (lowercase A-labels) and refuses
	// names no CA could issue for before anything is read or written.
	if s.domains, err = checkDomains(domains); err != nil {
		return nil, err
	}

	if err := s.loadRecordOptions(c); err != nil {
		return nil, err
	}

	if err := s.loadDNSOptions(c); err != nil {
		return nil, err
	}

	if err := checkDNSFallbackFlags(c); err != nil {
		return nil, err
	}

	if err := checkPFXFormat(c); err != nil {
		return nil, err
	}

	return s, nil
}

// loadStorage checks --path, --server, --key-type and --lock-timeout.
func (s *settings) loadStorage(c *cli.Context) error {
	if s.path == "" {
		return usageErrorf("--%s: could not determine the current folder; pass --%s", flgPath, flgPath)
	}

	if s.server == "" {
		return usageErrorf("--%s is empty: pass the CA's directory URL", flgServer)
	}

	if _, err := storage.ServerFolder(s.server); err != nil {
		return usageErrorf("--%s: %w", flgServer, err)
	}

	kt, ok := keyTypes[strings.ToLower(c.String(flgKeyType))]
	if !ok {
		return usageErrorf("--%s: unsupported key type %q (supported: rsa2048, rsa3072, rsa4096, rsa8192, ec256, ec384)",
			flgKeyType, c.String(flgKeyType))
	}

	s.keyType = kt

	if s.lockTimeout < 0 {
		return usageErrorf("--%s cannot be negative", flgLockTimeout)
	}

	return nil
}

// loadRecordOptions checks what goes into a new record and which
// challenges are accepted: issuer, persistUntil, policy, accounturi form.
func (s *settings) loadRecordOptions(c *cli.Context) error {
	if s.issuer != "" {
		if err := persist.ValidateIssuerDomainName(s.issuer); err != nil {
			return usageErrorf("--%s: %w", flgPersistIssuer, err)
		}

		s.persistOpts = append(s.persistOpts, persist.WithIssuerDomainName(s.issuer))
	}

	if raw := c.String(flgPersistUntil); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			return usageErrorf("--%s: %q is not an RFC 3339 time (like 2027-01-31T00:00:00Z)", flgPersistUntil, raw)
		}

		if !t.After(time.Now()) {
			return usageErrorf("--%s: %s is not in the future", flgPersistUntil, raw)
		}

		s.persistUntil = t
		s.persistOpts = append(s.persistOpts, persist.WithPersistUntil(t))
	}

	if err := s.rollingPersistUntil(c); err != nil {
		return err
	}

	if s.wildcard {
		s.persistOpts = append(s.persistOpts, persist.WithWildcardPolicy())
	}

	if s.anyDomain {
		s.persistOpts = append(s.persistOpts, persist.WithAnyDomainAccountURI())
	}

	if c.Bool(flgPersistForeignAccount) {
		log.Warnf("--%s: challenges naming another account will be accepted; the record then authorizes that account", flgPersistForeignAccount)
		s.persistOpts = append(s.persistOpts, persist.WithForeignAccountURI())
	}

	return nil
}

// loadDNSOptions checks how records are looked up and awaited: resolvers,
// authoritative check, propagation wait or timeout, query timeout.
func (s *settings) loadDNSOptions(c *cli.Context) error {
	for _, r := range c.StringSlice(flgPersistResolvers) {
		for _, part := range strings.Split(r, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}

			addr, err := hostPort(part)
			if err != nil {
				return usageErrorf("--%s: %w", flgPersistResolvers, err)
			}

			s.resolvers = append(s.resolvers, addr)
		}
	}

	if len(s.resolvers) > 0 {
		s.persistOpts = append(s.persistOpts, persist.WithResolvers(s.resolvers...))
	}

	s.persistOpts = append(s.persistOpts, persist.WithAuthoritativeCheck(s.authoritative))

	if c.IsSet(flgPersistWait) {
		if c.Duration(flgPersistWait) < 0 {
			return usageErrorf("--%s cannot be negative", flgPersistWait)
		}

		s.persistOpts = append(s.persistOpts, persist.WithPropagationWait(c.Duration(flgPersistWait), true))
	}

	timeout, interval := c.Duration(flgPersistPropTimeout), c.Duration(flgPersistPropInterval)
	if timeout <= 0 {
		return usageErrorf("--%s must be positive", flgPersistPropTimeout)
	}

	if interval <= 0 {
		return usageErrorf("--%s must be positive", flgPersistPropInterval)
	}

	s.persistOpts = append(s.persistOpts, persist.WithPropagationTimeout(timeout, interval))

	if c.Int(flgPersistTimeout) <= 0 {
		return usageErrorf("--%s must be a positive number of seconds", flgPersistTimeout)
	}

	s.dnsTimeout = time.Duration(c.Int(flgPersistTimeout)) * time.Second
	s.persistOpts = append(s.persistOpts, persist.WithDNSTimeout(s.dnsTimeout))

	return nil
}

// hostPort accepts "host:port", "host", "[v6]:port" and a bare IPv6
// address, and adds port 53 where missing.
func hostPort(s string) (string, error) {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s, nil
	}

	host := strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if host == "" || strings.ContainsAny(host, " /") {
		return "", fmt.Errorf("%q is not host:port", s)
	}

	return net.JoinHostPort(host, "53"), nil
}

// readDomains merges --domains and --domains-file, keeping the order and
// dropping duplicates.
func readDomains(c *cli.Context) ([]string, error) {
	var out []string

	seen := map[string]bool{}
	add := func(d string) {
		d = strings.TrimSpace(d)
		if d == "" || seen[d] {
			return
		}

		seen[d] = true
		out = append(out, d)
	}

	for _, d := range c.StringSlice(flgDomains) {
		add(d)
	}

	if path := c.String(flgDomainsFile); path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErrorf("--%s: %w", flgDomainsFile, err)
		}
		defer f.Close()

		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			for _, d := range strings.Fields(line) {
				add(d)
			}
		}

		if err := sc.Err(); err != nil {
			return nil, usageErrorf("--%s: %w", flgDomainsFile, err)
		}
	}

	return out, nil
}

// checkDNSFallbackFlags applies lego's exclusivity rules of the dns-01
// propagation flags.
func checkDNSFallbackFlags(c *cli.Context) error {
	disableANS := c.Bool(flgDNSDisableCP) || c.Bool(flgDNSPropagationDisableANS)

	if disableANS && c.IsSet(flgDNSPropagationWait) {
		return usageErrorf("--%s and --%s are mutually exclusive", flgDNSPropagationDisableANS, flgDNSPropagationWait)
	}

	if c.Bool(flgDNSPropagationRNS) && c.IsSet(flgDNSPropagationWait) {
		return usageErrorf("--%s and --%s are mutually exclusive", flgDNSPropagationRNS, flgDNSPropagationWait)
	}

	if c.Duration(flgDNSPropagationWait) < 0 {
		return usageErrorf("--%s cannot be negative", flgDNSPropagationWait)
	}

	return nil
}

func (s *settings) store() *storage.Store {
	return storage.New(s.path, storage.WithWarnings(log.Warnf))
}

// rollingPersistUntil reads --dns-persist.persist-for and
// --dns-persist.refresh-before.
func (s *settings) rollingPersistUntil(c *cli.Context) error {
	forD, refresh := c.Duration(flgPersistFor), c.Duration(flgPersistRefresh)

	switch {
	case c.IsSet(flgPersistFor) && forD <= 0:
		return usageErrorf("--%s must be positive", flgPersistFor)
	case c.IsSet(flgPersistRefresh) && refresh <= 0:
		return usageErrorf("--%s must be positive", flgPersistRefresh)
	case forD > 0 && !s.persistUntil.IsZero():
		return usageErrorf("--%s and --%s exclude each other: choose a rolling or a fixed persistUntil", flgPersistFor, flgPersistUntil)
	case refresh > 0 && forD == 0:
		return usageErrorf("--%s needs --%s (the new record's lifetime)", flgPersistRefresh, flgPersistFor)
	case refresh > 0 && refresh >= forD:
		return usageErrorf("--%s (%s) must be shorter than --%s (%s)", flgPersistRefresh, refresh, flgPersistFor, forD)
	}

	if forD > 0 {
		s.persistOpts = append(s.persistOpts, persist.WithPersistFor(forD))
	}

	if refresh > 0 {
		s.persistOpts = append(s.persistOpts, persist.WithRefreshBefore(refresh))
	}

	return nil
}
