package e2etest

import (
	"context"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// Proxy starts a proxy in front of the bed's Pebble that passes each JSON
// body through rewrite, and closes it when tb's test ends. It fails tb when
// the proxy cannot start.
func Proxy(tb testing.TB, b *bed.Bed, rewrite bed.Rewrite) *bed.Proxy {
	tb.Helper()

	proxy, err := b.NewProxy(context.Background(), rewrite)
	if err != nil {
		tb.Fatal(err)
	}

	tb.Cleanup(func() { _ = proxy.Close() })

	return proxy
}
