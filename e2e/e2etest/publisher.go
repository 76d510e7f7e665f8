package e2etest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/rfc2136"
)

// CountingPublisher counts Publish calls, remembers the values, and
// forwards each call to Next. With a nil Next it writes nothing and reports
// success: a publisher that lies.
type CountingPublisher struct {
	Next persist.Publisher

	calls atomic.Int32

	mu     sync.Mutex
	values []string
}

// Publish implements persist.Publisher.
func (c *CountingPublisher) Publish(ctx context.Context, fqdn, value string) error {
	c.calls.Add(1)

	c.mu.Lock()
	c.values = append(c.values, value)
	c.mu.Unlock()

	if c.Next == nil {
		return nil
	}

	return c.Next.Publish(ctx, fqdn, value)
}

// Calls is the number of Publish calls so far.
func (c *CountingPublisher) Calls() int32 { return c.calls.Load() }

// Published is a copy of the values passed to Publish, in call order.
func (c *CountingPublisher) Published() []string {
	c.mu.Lock()
	defer c.mu.Unlock()

	return append([]string(nil), c.values...)
}

// RFC2136Option changes the bed's RFC 2136 configuration.
type RFC2136Option func(*rfc2136.Config)

// WithTSIG signs updates with key and secret instead of the bed's.
func WithTSIG(key, secret string) RFC2136Option {
	return func(c *rfc2136.Config) { c.TSIGKey, c.TSIGSecret = key, secret }
}

// WithDNSTimeout bounds each DNS exchange of the publisher.
func WithDNSTimeout(d time.Duration) RFC2136Option {
	return func(c *rfc2136.Config) { c.DNSTimeout = d }
}

// NewRFC2136 returns the rfc2136 publisher for the bed's BIND: its address,
// TSIG key, secret and algorithm, then opts.
func NewRFC2136(b *bed.Bed, opts ...RFC2136Option) (persist.Publisher, error) {
	cfg := rfc2136.NewDefaultConfig()
	cfg.Nameserver = b.DNSAddr
	cfg.TSIGKey, cfg.TSIGSecret, cfg.TSIGAlgorithm = b.TSIGKey, b.TSIGSecret, b.TSIGAlgorithm

	for _, o := range opts {
		o(cfg)
	}

	p, err := rfc2136.NewDNSProviderConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("rfc2136 publisher for %s: %w", b.DNSAddr, err)
	}

	return p, nil
}

// RFC2136 is NewRFC2136 failing tb on error.
func RFC2136(tb testing.TB, b *bed.Bed, opts ...RFC2136Option) persist.Publisher {
	tb.Helper()

	p, err := NewRFC2136(b, opts...)
	if err != nil {
		tb.Fatal(err)
	}

	return p
}

// Publisher is a CountingPublisher in front of RFC2136(tb, b, opts...).
func Publisher(tb testing.TB, b *bed.Bed, opts ...RFC2136Option) *CountingPublisher {
	tb.Helper()

	return &CountingPublisher{Next: RFC2136(tb, b, opts...)}
}
