// Package manual "publishes" dns-persist-01 records by asking a person to:
// Publish prints the zone-file line to add, then waits until the record is
// served (asking a Check function the caller supplies) or a timeout passes.
//
// Without a terminal (cron, CI, systemd, stdin /dev/null or a pipe) nobody
// can act on the prompt, so Publish fails at once with an error carrying the exact line to publish;
// once it is in the zone, the next run finds the record and writes nothing.
package manual

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/lego-persist/lego-persist/internal/record"
	"github.com/mattn/go-isatty"
)

// Environment variable names. lego's manual provider has none; these follow
// lego's naming for the same settings. Each may also be given as NAME_FILE.
const (
	envNamespace = "MANUAL_"

	EnvTTL                = envNamespace + "TTL"
	EnvPropagationTimeout = envNamespace + "PROPAGATION_TIMEOUT"
	EnvPollingInterval    = envNamespace + "POLLING_INTERVAL"
)

// Defaults.
const (
	// DefaultTTL is the TTL written in the printed line; long on purpose, as
	// the record is meant to stay (same default as the rfc2136 publisher).
	DefaultTTL = 3600
	// DefaultTimeout leaves a person time to edit a zone and reload it.
	DefaultTimeout = 10 * time.Minute
	// DefaultInterval is the pause between two checks.
	DefaultInterval = 10 * time.Second
)

// ErrNonInteractive is wrapped by Publish's error when it cannot wait for a
// person (no terminal, or no Check to tell when the record is served).
var ErrNonInteractive = errors.New("cannot wait for a manual change")

// ErrNotServed is wrapped by Publish's error when the record was still not
// served at the timeout.
var ErrNotServed = errors.New("record not served")

// CheckFunc reports whether value is served in the TXT set at fqdn (by
// every authoritative server of the zone, for the solver's check). An error
// means "could not tell"; Publish keeps checking until its timeout.
type CheckFunc func(ctx context.Context, fqdn, value string) (bool, error)

// Config configures a DNSProvider.
type Config struct {
	// Out receives the instructions; os.Stdout when nil.
	Out io.Writer

	// TTL is written in the printed zone-file line; DefaultTTL when zero.
	TTL uint32

	// Timeout bounds the wait for the record; DefaultTimeout when zero.
	// Interval is the pause between checks; DefaultInterval when zero.
	Timeout, Interval time.Duration

	// Interactive says a person reads Out. When false, Publish fails at
	// once with the line to publish.
	Interactive bool

	// Check tells when the record is served. When nil, Publish fails at
	// once with the line to publish, as when not interactive.
	Check CheckFunc
}

// NewDefaultConfig returns a Config writing to os.Stdout, interactive when
// standard input is a terminal, with MANUAL_TTL, MANUAL_PROPAGATION_TIMEOUT
// and MANUAL_POLLING_INTERVAL (seconds) read from the environment. Check is
// nil: set it (or use WithCheck) to wait for the record.
func NewDefaultConfig() *Config {
	return &Config{
		Out:         os.Stdout,
		TTL:         uint32(env.GetOrDefaultInt(EnvTTL, DefaultTTL)),
		Timeout:     env.GetOrDefaultSecond(EnvPropagationTimeout, DefaultTimeout),
		Interval:    env.GetOrDefaultSecond(EnvPollingInterval, DefaultInterval),
		Interactive: isTerminal(os.Stdin),
	}
}

// DNSProvider prints records and waits for them. It is safe for concurrent
// use; instructions of concurrent calls are not interleaved.
type DNSProvider struct {
	out         io.Writer
	mu          *sync.Mutex // guards writes to out, shared by copies from WithCheck
	ttl         uint32
	timeout     time.Duration
	interval    time.Duration
	interactive bool
	check       CheckFunc
}

// NewDNSProvider returns a DNSProvider configured by NewDefaultConfig. It
// fails on a malformed MANUAL_* variable rather than silently using a
// default.
func NewDNSProvider() (*DNSProvider, error) {
	for _, name := range []string{EnvTTL, EnvPropagationTimeout, EnvPollingInterval} {
		if v := env.GetOrFile(name); v != "" {
			if n, err := strconv.ParseUint(v, 10, 31); err != nil || (n == 0 && name == EnvPollingInterval) {
				return nil, fmt.Errorf("manual: %s=%q: want a positive whole number of seconds", name, v)
			}
		}
	}

	return NewDNSProviderConfig(NewDefaultConfig())
}

// NewDNSProviderConfig returns a DNSProvider for cfg; cfg is not modified.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("manual: the configuration is nil")
	}

	if cfg.Timeout < 0 || cfg.Interval < 0 {
		return nil, fmt.Errorf("manual: negative timeout %s or interval %s", cfg.Timeout, cfg.Interval)
	}

	d := &DNSProvider{
		out:         cfg.Out,
		mu:          new(sync.Mutex),
		ttl:         cfg.TTL,
		timeout:     cfg.Timeout,
		interval:    cfg.Interval,
		interactive: cfg.Interactive,
		check:       cfg.Check,
	}

	if d.out == nil {
		d.out = os.Stdout
	}

	if d.ttl == 0 {
		d.ttl = DefaultTTL
	}

	if d.timeout == 0 {
		d.timeout = DefaultTimeout
	}

	if d.interval == 0 {
		d.interval = DefaultInterval
	}

	return d, nil
}

// WithCheck returns a copy of d that waits using check. The solver, which
// knows the zone's authoritative servers, supplies it.
func (d *DNSProvider) WithCheck(check CheckFunc) *DNSProvider {
	c := *d
	c.check = check

	return &c
}

// Line returns the zone-file line that Publish asks for.
func (d *DNSProvider) Line(fqdn, value string) string {
	return record.ZoneLine(fqdn, d.ttl, value)
}

// Publish prints the zone-file line adding value at fqdn, then checks every
// Interval until the record is served (nil) or Timeout passes or ctx ends
// (an error with the line). When not interactive, or without a Check, it
// returns an error wrapping ErrNonInteractive at once, printing nothing.
// Every error carries the exact line to publish.
func (d *DNSProvider) Publish(ctx context.Context, fqdn, value string) error {
	line := d.Line(fqdn, value)

	switch {
	case !d.interactive:
		return fmt.Errorf("manual: %s: %w (not a terminal); publish this line in the zone, then run again:\n%s",
			fqdn, ErrNonInteractive, line)
	case d.check == nil:
		return fmt.Errorf("manual: %s: %w (nothing to check the record with); publish this line in the zone, then run again:\n%s",
			fqdn, ErrNonInteractive, line)
	}

	d.printf("Add this TXT record to the zone, next to any records already at that name (do not replace them):\n\n"+
		"%s\n\nWaiting up to %s for it to be served (checking every %s)...\n", line, d.timeout, d.interval)

	waitCtx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()

	tick := time.NewTicker(d.interval)
	defer tick.Stop()

	var lastErr error

	for {
		served, err := d.check(waitCtx, fqdn, value)
		if err == nil && served {
			d.printf("%s is served.\n", fqdn)

			return nil
		}

		if err != nil && waitCtx.Err() == nil {
			lastErr = err
		}

		select {
		case <-tick.C:
			continue
		case <-waitCtx.Done():
		}

		if err := ctx.Err(); err != nil {
			return fmt.Errorf("manual: %s: stopped waiting: %w; publish this line in the zone, then run again:\n%s", fqdn, err, line)
		}

		cause := ""
		if lastErr != nil {
			cause = " (last check: " + lastErr.Error() + ")"
		}

		return fmt.Errorf("manual: %s: %w after %s%s; publish this line in the zone, then run again:\n%s",
			fqdn, ErrNotServed, d.timeout, cause, line)
	}
}

// String names the provider.
func (d *DNSProvider) String() string {
	return "manual"
}

func (d *DNSProvider) printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()

	_, _ = fmt.Fprintf(d.out, format, args...)
}

// isTerminal reports whether f is a terminal a person types on. A
// character device alone is not enough: /dev/null (systemd's default
// stdin) is one too, and waiting there for a person would hold a cron or
// systemd run for the whole timeout.
func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
