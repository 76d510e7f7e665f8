// Package bed runs a real ACME CA and a real authoritative DNS server on
// loopback for end-to-end tests, benchmarks and demos of lego-persist:
// Pebble (Let's Encrypt's test CA, built from the module's go.mod tool
// entry) and BIND 9's named, serving one zone that accepts TSIG-signed
// RFC 2136 updates. Pebble's validation authority resolves through that
// named, so a TXT record written there is what Pebble checks for
// dns-persist-01 (_validation-persist.<name>) and dns-01
// (_acme-challenge.<name>).
//
// Each Bed has its own temporary directory and free ports, so any number can
// run side by side, in one process or in parallel test packages. Tests call
// New; programs call Start and Close:
//
//	b := bed.New(t, bed.Options{})
//	cfg.CADirURL = b.DirectoryURL
//	cfg.HTTPClient = b.HTTPClient()
//	// publish with b.DNSAddr, b.TSIGKey, b.TSIGSecret, b.TSIGAlgorithm
//
// All URLs use https://127.0.0.1:PORT, which Pebble's TLS certificate
// covers. Pebble builds every URL it returns (the account URL, which a
// dns-persist-01 record names, included) from the request's Host, so a
// client must use exactly DirectoryURL (or a Proxy's URL) to get the
// account URLs Pebble checks.
package bed

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/testenv"
	"github.com/miekg/dns"
)

const (
	// DefaultZone is the zone named serves unless Options.Zone says otherwise.
	DefaultZone = "persist.test."
	// DefaultIssuerDomain is Pebble's default CAA identity, the
	// issuer-domain-name its dns-persist-01 challenges offer.
	DefaultIssuerDomain = "pebble.letsencrypt.org"

	// readyTimeout bounds the wait for both servers to answer when the
	// caller's context has no deadline.
	readyTimeout = 60 * time.Second
	// startAttempts is how often Start tries fresh ports when a server dies
	// while starting (another process took a port first).
	startAttempts = 3
)

// Options configure a Bed. The zero value gives zone persist.test. and
// Pebble's default issuer domain.
type Options struct {
	// Zone is the zone named serves and accepts updates for; default
	// "persist.test.". Names in it need no records of their own for
	// dns-persist-01 or dns-01; the apex and ns1 have A 127.0.0.1.
	Zone string

	// CAAIdentities are Pebble's caaIdentities: the issuer-domain-names its
	// dns-persist-01 challenges offer; default ["pebble.letsencrypt.org"].
	CAAIdentities []string

	// PebbleEnv sets or overrides Pebble's environment. The defaults are
	// PEBBLE_VA_NOSLEEP=1, PEBBLE_WFE_NONCEREJECT=0, PEBBLE_AUTHZREUSE=0;
	// PEBBLE_* variables of the calling process are not passed on.
	PebbleEnv map[string]string

	// PebbleConfig sets or overrides keys of Pebble's JSON configuration
	// (the object under "pebble"), e.g. "externalAccountBindingRequired"
	// and "externalAccountMACKeys" for EAB, or "retryAfter". The bed's
	// defaults: ecdsa keys, retryAfter 1s, profiles "default" and
	// "shortlived".
	PebbleConfig map[string]any

	// ExtraZoneRecords are zone-file lines appended to the zone (names
	// relative to the zone), e.g. "www IN A 127.0.0.1" so that Pebble can
	// reach an http-01 server for www on HTTPPort.
	ExtraZoneRecords []string

	// ExtraZones are more zones the same named serves and accepts the
	// same TSIG-signed updates for (SOA serial 1, NS ns1 of Zone), e.g. a
	// zone that _validation-persist names of Zone are CNAMEs into. AddTXT,
	// DeleteTXT, TXT and SOASerialOf work in them too.
	ExtraZones []string

	// KeepDir leaves Dir (configs, logs, journal) in place after Close.
	KeepDir bool

	// Logf, if set, receives progress notes (such as the one-time Pebble
	// build). New sets it to the test's Logf.
	Logf func(format string, args ...any)
}

// Bed is a running Pebble and named pair. Its fields are set by Start and
// must not be changed. Methods are safe for concurrent use.
type Bed struct {
	// Dir is the bed's state directory (configs, zone, journal, logs).
	Dir string
	// DNSAddr is named's "127.0.0.1:port" (UDP and TCP). Pebble resolves
	// through it.
	DNSAddr string
	// Zone is the served zone, lowercase with a trailing dot.
	Zone string
	// ExtraZones are Options.ExtraZones, lowercase with trailing dots.
	ExtraZones []string
	// TSIGKey, TSIGSecret and TSIGAlgorithm sign RFC 2136 updates to Zone:
	// key name and algorithm in miekg/dns form ("persist-update.",
	// "hmac-sha256."), secret in base64 (random per Bed).
	TSIGKey, TSIGSecret, TSIGAlgorithm string
	// DirectoryURL is Pebble's ACME directory, https://127.0.0.1:port/dir.
	DirectoryURL string
	// ManagementURL is Pebble's management interface,
	// https://127.0.0.1:port (roots at /roots/0, intermediates at
	// /intermediates/0).
	ManagementURL string
	// CACertPath is the PEM file of the root that signed Pebble's TLS
	// certificate (and the proxies'): trust it to talk to the CA. lego reads
	// it from LEGO_CA_CERTIFICATES (see Env).
	CACertPath string
	// IssuerDomains are Pebble's CAA identities, in challenge order.
	IssuerDomains []string
	// HTTPPort and TLSPort are where Pebble's validation authority connects
	// for http-01 and tls-alpn-01 (on the address named gives for the name);
	// nothing listens there unless a test does.
	HTTPPort, TLSPort int
	// NamedLogPath, QueryLogPath, UpdateLogPath and PebbleLogPath are the
	// servers' logs inside Dir.
	NamedLogPath, QueryLogPath, UpdateLogPath, PebbleLogPath string

	probeSecret string
	namedFiles  namedFiles
	pebbleInst  pebbleInstall
	caPool      *x509.CertPool
	keepDir     bool

	mu         sync.Mutex
	namedProc  *process
	pebbleProc *process
	proxies    map[*Proxy]struct{}

	closeOnce sync.Once
	closeErr  error
}

// Start starts named and Pebble with state in a new temporary directory and
// returns once both answer (named the zone's SOA, Pebble its directory).
// ctx bounds the start only (building Pebble on first use included); the
// servers run until Close. On error nothing is left running.
func Start(ctx context.Context, opts Options) (_ *Bed, err error) {
	zone := DefaultZone
	if opts.Zone != "" {
		zone = dns.CanonicalName(opts.Zone)
	}

	if !zoneRE.MatchString(zone) {
		return nil, fmt.Errorf("bed: zone %q: want a plain DNS name such as %q", opts.Zone, DefaultZone)
	}

	var extraZones []string

	for _, z := range opts.ExtraZones {
		z = dns.CanonicalName(z)
		if !zoneRE.MatchString(z) || z == zone || dns.IsSubDomain(zone, z) || dns.IsSubDomain(z, zone) {
			return nil, fmt.Errorf("bed: extra zone %q: want a plain DNS name apart from %s", z, zone)
		}

		extraZones = append(extraZones, z)
	}

	issuers := opts.CAAIdentities
	if len(issuers) == 0 {
		issuers = []string{DefaultIssuerDomain}
	}

	namedBin, err := NamedPath()
	if err != nil {
		return nil, fmt.Errorf("bed: %w", err)
	}

	inst, err := findPebble(ctx, opts.Logf)
	if err != nil {
		return nil, fmt.Errorf("bed: %w", err)
	}

	dir, err := os.MkdirTemp("", "lego-persist-bed-")
	if err != nil {
		return nil, fmt.Errorf("bed: state directory: %w", err)
	}

	b := &Bed{
		Dir:           dir,
		Zone:          zone,
		ExtraZones:    extraZones,
		TSIGKey:       updateKeyName,
		TSIGAlgorithm: dns.HmacSHA256,
		CACertPath:    filepath.Join(inst.modDir, "test", "certs", "pebble.minica.pem"),
		IssuerDomains: append([]string(nil), issuers...),
		PebbleLogPath: filepath.Join(dir, "pebble.log"),
		namedFiles:    newNamedFiles(dir),
		pebbleInst:    inst,
		keepDir:       opts.KeepDir,
		proxies:       map[*Proxy]struct{}{},
	}
	b.NamedLogPath, b.QueryLogPath, b.UpdateLogPath = b.namedFiles.out, b.namedFiles.queries, b.namedFiles.updates

	defer func() {
		if err != nil {
			_ = b.Close()
		}
	}()

	if b.TSIGSecret, err = randomSecret(); err != nil {
		return nil, fmt.Errorf("bed: TSIG secret: %w", err)
	}

	if b.probeSecret, err = randomSecret(); err != nil {
		return nil, fmt.Errorf("bed: TSIG secret: %w", err)
	}

	pem, err := os.ReadFile(b.CACertPath)
	if err != nil {
		return nil, fmt.Errorf("bed: Pebble's TLS root: %w", err)
	}

	b.caPool = x509.NewCertPool()
	if !b.caPool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("bed: no certificate in %s", b.CACertPath)
	}

	readyCtx := ctx
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		readyCtx, cancel = context.WithTimeout(ctx, readyTimeout)

		defer cancel()
	}

	for attempt := 1; ; attempt++ {
		err = b.launch(readyCtx, namedBin, opts)
		if err == nil {
			return b, nil
		}

		// The servers' state is in err already; stopping kills what is left.
		_ = b.stopServers()

		// Only a server dying while starting (most likely a port taken
		// meanwhile by another process) is worth another try.
		if attempt == startAttempts || !errors.Is(err, errExited) || readyCtx.Err() != nil {
			return nil, fmt.Errorf("bed: start (attempt %d): %w", attempt, err)
		}

		if opts.Logf != nil {
			opts.Logf("bed: start attempt %d failed, retrying with fresh ports: %v", attempt, err)
		}
	}
}

// launch picks ports, writes the configurations, starts both servers and
// waits until both answer.
func (b *Bed) launch(ctx context.Context, namedBin string, opts Options) error {
	dnsPort, err := freePort(ctx, true)
	if err != nil {
		return err
	}

	var ports pebblePorts
	for _, p := range []*int{&ports.acme, &ports.management, &ports.http, &ports.tls} {
		if *p, err = freePort(ctx, false); err != nil {
			return err
		}
	}

	b.DNSAddr = fmt.Sprintf("127.0.0.1:%d", dnsPort)
	b.DirectoryURL = fmt.Sprintf("https://127.0.0.1:%d/dir", ports.acme)
	b.ManagementURL = fmt.Sprintf("https://127.0.0.1:%d", ports.management)
	b.HTTPPort, b.TLSPort = ports.http, ports.tls

	if err := b.writeNamedConfig(dnsPort, opts.ExtraZoneRecords); err != nil {
		return fmt.Errorf("write named configuration: %w", err)
	}

	pebbleConf := filepath.Join(b.Dir, "pebble.json")
	if err := b.writePebbleConfig(pebbleConf, ports, opts.PebbleConfig); err != nil {
		return fmt.Errorf("write Pebble configuration: %w", err)
	}

	named, err := b.startNamed(namedBin, dnsPort)
	if err != nil {
		return err
	}

	b.mu.Lock()
	b.namedProc = named
	b.mu.Unlock()

	pebble, err := startProcess("pebble", b.PebbleLogPath, b.Dir, pebbleEnv(opts.PebbleEnv), b.pebbleInst.bin,
		"-config", pebbleConf, "-dnsserver", b.DNSAddr)
	if err != nil {
		return err
	}

	b.mu.Lock()
	b.pebbleProc = pebble
	b.mu.Unlock()

	// Both servers come up in parallel; wait for both.
	namedErr := make(chan error, 1)
	go func() { namedErr <- b.waitNamed(ctx, named) }()

	return errors.Join(b.waitPebble(ctx, pebble), <-namedErr)
}

// stopServers stops named and Pebble (in parallel) and forgets them.
func (b *Bed) stopServers() error {
	b.mu.Lock()
	procs := []*process{b.namedProc, b.pebbleProc}
	b.namedProc, b.pebbleProc = nil, nil
	b.mu.Unlock()

	errs := make(chan error, len(procs))

	for _, p := range procs {
		go func() {
			if p == nil {
				errs <- nil
				return
			}
			errs <- p.stop()
		}()
	}

	var all []error
	for range procs {
		all = append(all, <-errs)
	}

	return errors.Join(all...)
}

// Close stops every Proxy made by NewProxy, then Pebble and named (SIGTERM
// to each process group, SIGKILL after 5s), waits until no process of theirs
// is left and removes Dir unless Options.KeepDir. It reports a server that
// had died on its own. Calling Close again returns the first result.
func (b *Bed) Close() error {
	b.closeOnce.Do(func() {
		var errs []error

		b.mu.Lock()
		proxies := b.proxies
		b.proxies = nil
		b.mu.Unlock()

		for p := range proxies {
			errs = append(errs, p.Close())
		}

		errs = append(errs, b.stopServers())

		if !b.keepDir {
			if err := os.RemoveAll(b.Dir); err != nil {
				errs = append(errs, fmt.Errorf("remove %s: %w", b.Dir, err))
			}
		}

		if err := errors.Join(errs...); err != nil {
			b.closeErr = fmt.Errorf("bed: close: %w", err)
		}
	})

	return b.closeErr
}

// New starts a Bed for a test or benchmark and closes it in tb.Cleanup.
// When named is not installed it skips the test, unless the environment
// variable CI is set: in CI a missing named fails the test.
func New(tb testing.TB, opts Options) *Bed {
	tb.Helper()

	if _, err := NamedPath(); err != nil {
		testenv.SkipOrFail(tb, "bed: %v", err)
	}

	if opts.Logf == nil {
		opts.Logf = tb.Logf
	}

	b, err := Start(tb.Context(), opts)
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() {
		if tb.Failed() {
			tb.Logf("bed: last lines of %s:\n%s", b.PebbleLogPath, tail(b.PebbleLogPath, 30))
			tb.Logf("bed: last lines of %s:\n%s", b.NamedLogPath, tail(b.NamedLogPath, 15))
		}

		if err := b.Close(); err != nil {
			tb.Error(err)
		}
	})

	return b
}

// HTTPClient returns a new client that trusts CACertPath only (and uses no
// proxy from the environment): use it as lego's Config.HTTPClient.
func (b *Bed) HTTPClient() *http.Client {
	return &http.Client{Transport: b.transport(), Timeout: 60 * time.Second}
}

func (b *Bed) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.TLSClientConfig = &tls.Config{RootCAs: b.caPool, MinVersion: tls.VersionTLS12}

	return t
}

// Env returns environment variables (KEY=value) that point a child process
// at this bed: the lego-persist or lego CLI (LEGO_SERVER,
// LEGO_CA_CERTIFICATES) and the rfc2136 provider (DNSUPDATE_*). Append them
// to os.Environ() for exec.Cmd.Env.
func (b *Bed) Env() []string {
	return []string{
		"LEGO_SERVER=" + b.DirectoryURL,
		"LEGO_CA_CERTIFICATES=" + b.CACertPath,
		"DNSUPDATE_NAMESERVER=" + b.DNSAddr,
		"DNSUPDATE_TSIG_KEY=" + b.TSIGKey,
		"DNSUPDATE_TSIG_SECRET=" + b.TSIGSecret,
		"DNSUPDATE_TSIG_ALGORITHM=" + b.TSIGAlgorithm,
	}
}

// String describes the bed without its secret.
func (b *Bed) String() string {
	return fmt.Sprintf("bed(dns %s zone %s, acme %s)", b.DNSAddr, strings.TrimSuffix(b.Zone, "."), b.DirectoryURL)
}
