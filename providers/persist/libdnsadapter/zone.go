package libdnsadapter

import (
	"context"
	"time"

	"github.com/lego-persist/lego-persist/internal/dnsq"
)

// ZoneFinder returns a function that finds the zone of a record name by
// asking resolvers ("host:port") for SOA records (dnsq.Client.FindZone).
// timeout bounds each query (dnsq's default when zero).
func ZoneFinder(resolvers []string, timeout time.Duration) (func(ctx context.Context, fqdn string) (string, error), error) {
	c, err := dnsq.New(dnsq.Config{Resolvers: resolvers, Timeout: timeout})
	if err != nil {
		return nil, err
	}

	return c.FindZone, nil
}

// SystemResolvers returns the nameservers of /etc/resolv.conf. Provider
// packages call it from NewDNSProvider only when no zone is configured, so a
// zone variable (or explicit resolvers) keeps the system resolver out.
func SystemResolvers() ([]string, error) {
	return dnsq.SystemResolvers(dnsq.ResolvConf)
}
