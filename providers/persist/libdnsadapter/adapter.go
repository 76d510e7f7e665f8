// Package libdnsadapter turns a libdns provider (github.com/libdns/libdns v1
// API) into a dns-persist-01 publisher: persist.Publisher and
// persist.Unpublisher.
//
// Publish adds one TXT value with libdns.RecordAppender.AppendRecords and never
// calls SetRecords, which would replace the whole TXT set at the name (other
// CAs' and other accounts' records included). Unpublish removes exactly one
// value with libdns.RecordDeleter.DeleteRecords, always passing the value: an
// empty value would ask libdns to delete every TXT record at the name.
//
// Each provider package under providers/persist (cloudflare, route53, ...) is
// a thin layer over this one: it reads lego's environment variables, builds
// a Provider and calls NewAs for its own DNSProvider type. The Provider is a
// libdns module's, or a small client of the package's own in one of two
// shapes: RecordAPI (each value a record with an ID: Records) or RRSetAPI
// (the TXT set written whole: RRSets). Whole-set providers set
// Config.ReadBack, so that a value a concurrent writer dropped is written
// again (see MaxRepairRounds). The clients' HTTP helpers are in
// providers/persist/httpapi; adaptertest holds the shared test suite.
package libdnsadapter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// DefaultTimeout bounds one Publish or Unpublish call (every HTTP request of
// it, the provider library's retries included) when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// Provider is what the adapter needs from a libdns provider.
type Provider interface {
	libdns.RecordAppender
	libdns.RecordDeleter
}

// Config configures a Publisher.
type Config struct {
	// Name is the provider's name as users write it ("cloudflare"); every
	// error message starts with it.
	Name string

	// Zone is the zone (apex) holding the records, e.g. "example.com". When
	// empty, the zone of each record name is found with FindZone or, if that
	// is nil, by asking Resolvers (see dnsq.Client.FindZone).
	Zone string

	// FindZone returns the zone holding fqdn (used when Zone is empty).
	FindZone func(ctx context.Context, fqdn string) (string, error)

	// Resolvers ("host:port") find the zone when Zone and FindZone are unset.
	Resolvers []string

	// DNSTimeout bounds each zone-discovery query (dnsq's default when zero).
	DNSTimeout time.Duration

	// TTL of the records Publish creates. Zero leaves it to the provider
	// library (some read zero as "provider default", others as "no caching").
	TTL time.Duration

	// Timeout bounds each Publish or Unpublish call as a whole; DefaultTimeout
	// when zero. Libraries without an HTTP timeout of their own (or with
	// retries) are bounded by it.
	Timeout time.Duration

	// Secrets are scrubbed from every error text (API tokens, keys,
	// passwords), in case a library or a server echoes them.
	Secrets []string

	// DeleteByLookup is for libraries whose DeleteRecords finds the record by
	// a provider ID only: Unpublish then reads the zone with GetRecords (the
	// provider must implement libdns.RecordGetter), keeps the TXT records at
	// the name whose value is exactly the one to remove, and deletes those
	// record objects (which carry the ID).
	DeleteByLookup bool

	// StrictHTTPStatus makes a call fail when any of its HTTP responses had
	// a 4xx/5xx status, even if the library reported success. It needs the
	// library to send its requests through a Transport, and suits libraries
	// that never expect an error status but may drop one (libdns/cloudflare
	// v0.2.2 ignores the error of the lookup it runs before a delete, so a
	// 401 there would look like "nothing to delete").
	StrictHTTPStatus bool

	// ReadBack is for whole-set APIs (the write replaces the TXT set at the
	// name with what the library read just before): after each write the
	// set is read again and, when a concurrent writer dropped a value (ours
	// or one that was there before), the missing values are written again,
	// at most MaxRepairRounds times. The provider must implement TXTReader
	// or libdns.RecordGetter.
	ReadBack bool

	// Settle is how long a ReadBack publisher waits before its confirming
	// read (see SettleDelay): SettleDelay when zero, no confirming read
	// when negative.
	Settle time.Duration
}

// Publisher publishes dns-persist-01 TXT records through a libdns provider.
// It is safe for concurrent use when the provider is (libdns requires it).
type Publisher struct {
	name           string
	zone           string
	findZone       func(ctx context.Context, fqdn string) (string, error)
	ttl            time.Duration
	timeout        time.Duration
	secrets        []string
	deleteByLookup bool
	strictStatus   bool
	readBack       bool
	repairDelay    time.Duration
	settle         func(ctx context.Context) error
	provider       Provider
}

// New checks cfg and returns a Publisher over p.
func New(cfg Config, p Provider) (*Publisher, error) {
	name := cfg.Name
	if name == "" {
		name = "libdns"
	}

	if p == nil {
		return nil, fmt.Errorf("%s: no libdns provider given", name)
	}

	if cfg.DeleteByLookup {
		if _, ok := p.(libdns.RecordGetter); !ok {
			return nil, fmt.Errorf("%s: DeleteByLookup needs a provider that implements libdns.RecordGetter", name)
		}
	}

	if cfg.ReadBack {
		_, reader := p.(TXTReader)
		if _, getter := p.(libdns.RecordGetter); !reader && !getter {
			return nil, fmt.Errorf("%s: ReadBack needs a provider that implements TXTReader or libdns.RecordGetter", name)
		}
	}

	if cfg.TTL < 0 {
		return nil, fmt.Errorf("%s: negative TTL %s", name, cfg.TTL)
	}

	pub := &Publisher{
		name:           name,
		findZone:       cfg.FindZone,
		ttl:            cfg.TTL,
		timeout:        cfg.Timeout,
		deleteByLookup: cfg.DeleteByLookup,
		strictStatus:   cfg.StrictHTTPStatus,
		readBack:       cfg.ReadBack,
		repairDelay:    repairDelay,
		settle:         settleFunc(cfg.Settle),
		provider:       p,
	}

	if pub.timeout <= 0 {
		pub.timeout = DefaultTimeout
	}

	for _, s := range cfg.Secrets {
		if s != "" {
			pub.secrets = append(pub.secrets, s)
		}
	}

	if cfg.Zone != "" {
		zone, err := normalizeZone(cfg.Zone)
		if err != nil {
			return nil, fmt.Errorf("%s: zone %q: %w", name, cfg.Zone, err)
		}

		pub.zone = zone

		return pub, nil
	}

	if pub.findZone == nil {
		finder, err := ZoneFinder(cfg.Resolvers, cfg.DNSTimeout)
		if err != nil {
			return nil, fmt.Errorf("%s: no zone configured and no way to find one: %w", name, err)
		}

		pub.findZone = finder
	}

	return pub, nil
}

// Publish adds value to the TXT set at fqdn (a name with a trailing dot) and
// leaves every other value there untouched. The value is passed whole; libdns
// providers split values over 255 octets into character-strings as their API
// requires (see libdns.TXT). With Config.ReadBack the set is read back and
// repaired after the write (see MaxRepairRounds).
func (p *Publisher) Publish(ctx context.Context, fqdn, value string) error {
	return p.do(ctx, "publish", fqdn, value, func(ctx context.Context, zone string, rec libdns.TXT) error {
		rec.TTL = p.ttl

		add := func() error {
			_, err := p.provider.AppendRecords(ctx, zone, []libdns.Record{rec})

			return err
		}

		if !p.readBack {
			return add()
		}

		return p.writeAndRepair(ctx, zone, rec, true, add)
	})
}

// Unpublish removes exactly value from the TXT set at fqdn; other values stay.
// Removing a value that is not there is not an error.
func (p *Publisher) Unpublish(ctx context.Context, fqdn, value string) error {
	return p.do(ctx, "unpublish", fqdn, value, func(ctx context.Context, zone string, rec libdns.TXT) error {
		if !p.readBack {
			return p.remove(ctx, zone, rec)
		}

		return p.writeAndRepair(ctx, zone, rec, false, func() error { return p.remove(ctx, zone, rec) })
	})
}

// remove deletes the TXT value rec.
func (p *Publisher) remove(ctx context.Context, zone string, rec libdns.TXT) error {
	// TTL stays zero: in a DeleteRecords input it matches any TTL
	// (libdns.RecordDeleter); the value is always set.
	rec.TTL = 0

	if !p.deleteByLookup {
		_, err := p.provider.DeleteRecords(ctx, zone, []libdns.Record{rec})

		return err
	}

	matches, err := p.lookup(ctx, zone, rec)
	if err != nil || len(matches) == 0 {
		return err
	}

	_, err = p.provider.DeleteRecords(ctx, zone, matches)

	return err
}

// String names the provider and its zone, never a credential.
func (p *Publisher) String() string {
	if p.zone != "" {
		return p.name + " (zone " + p.zone + ")"
	}

	return p.name
}

// lookup returns the provider's own record objects for the TXT value rec
// (same name, same value), for DeleteByLookup.
func (p *Publisher) lookup(ctx context.Context, zone string, rec libdns.TXT) ([]libdns.Record, error) {
	all, err := p.provider.(libdns.RecordGetter).GetRecords(ctx, zone)
	if err != nil {
		return nil, fmt.Errorf("listing the zone's records: %w", err)
	}

	want := libdns.AbsoluteName(rec.Name, zone)

	var out []libdns.Record

	for _, r := range all {
		rr := r.RR()
		if rr.Type == "TXT" && rr.Data == rec.Text && sameName(libdns.AbsoluteName(rr.Name, zone), want) {
			out = append(out, r)
		}
	}

	return out, nil
}

type opFunc func(ctx context.Context, zone string, rec libdns.TXT) error

// do checks the input, finds the zone and runs op with a deadline, turning a
// failure (or a panic in the provider library) into an *Error.
func (p *Publisher) do(ctx context.Context, op, fqdn, value string, fn opFunc) (err error) {
	name := dns.CanonicalName(fqdn)
	if _, ok := dns.IsDomainName(name); !ok || name == "." {
		return p.fail(op, fqdn, "", fmt.Errorf("not a domain name"))
	}

	if value == "" {
		// libdns reads an empty value in DeleteRecords as "every value":
		// never send one.
		return p.fail(op, name, "", errors.New("empty record value"))
	}

	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()

	zone := p.zone
	if zone == "" {
		found, err := p.findZone(ctx, name)
		if err != nil {
			return p.fail(op, name, "", fmt.Errorf("finding the zone: %w (set the zone explicitly to skip the lookup)", err))
		}

		if zone, err = normalizeZone(found); err != nil {
			return p.fail(op, name, "", fmt.Errorf("zone %q: %w", found, err))
		}
	}

	if !dns.IsSubDomain(zone, name) {
		return p.fail(op, name, zone, errors.New("the record is not inside the zone; check the configured zone"))
	}

	rec := libdns.TXT{Name: libdns.RelativeName(name, zone), Text: value}

	defer func() {
		if r := recover(); r != nil {
			err = p.fail(op, name, zone, fmt.Errorf("the %s library panicked: %v", p.name, r))
		}
	}()

	ctx, status := httpapi.WithStatusRecorder(ctx)

	if err := fn(ctx, zone, rec); err != nil {
		return p.failCall(ctx, op, name, zone, err, status)
	}

	if code := status.FirstError(); p.strictStatus && code != 0 {
		return p.failCall(ctx, op, name, zone, errors.New("the library reported success after an error response"), status)
	}

	return nil
}

func normalizeZone(zone string) (string, error) {
	z := dns.CanonicalName(strings.TrimSpace(zone))
	if _, ok := dns.IsDomainName(z); !ok || z == "." {
		return "", errors.New("not a domain name")
	}

	return z, nil
}

func sameName(a, b string) bool {
	return strings.EqualFold(dns.Fqdn(a), dns.Fqdn(b))
}

// NewAs is New for provider packages: it returns the package's own
// DNSProvider type, a struct that embeds *Publisher and nothing else, so
// that each package's godoc shows its own type (as lego's providers do)
// while the behaviour stays this package's.
func NewAs[T ~struct{ *Publisher }](cfg Config, p Provider) (*T, error) {
	pub, err := New(cfg, p)
	if err != nil {
		return nil, err
	}

	t := T{pub}

	return &t, nil
}
