// Package testseam carries settings that only this module's tests may
// give the library: they travel in a context (persist.WithContext), so
// they are neither public options nor global state. Real zones never need
// them.
package testseam

import "context"

type nameserverPortKey struct{}

// WithNameserverPort returns ctx carrying the port on which authoritative
// servers are asked instead of 53: test beds run every nameserver of a zone
// on one other loopback port.
func WithNameserverPort(ctx context.Context, port string) context.Context {
	return context.WithValue(ctx, nameserverPortKey{}, port)
}

// NameserverPort is the port WithNameserverPort put in ctx ("" for none).
func NameserverPort(ctx context.Context) string {
	port, _ := ctx.Value(nameserverPortKey{}).(string)
	return port
}
