package dnsproviders

import (
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/azure"
	"github.com/lego-persist/lego-persist/providers/persist/cloudflare"
	"github.com/lego-persist/lego-persist/providers/persist/desec"
	"github.com/lego-persist/lego-persist/providers/persist/digitalocean"
	"github.com/lego-persist/lego-persist/providers/persist/googleclouddns"
	"github.com/lego-persist/lego-persist/providers/persist/hetzner"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/powerdns"
	"github.com/lego-persist/lego-persist/providers/persist/route53"
)

// cloudDetails is shown under every libdns-backed provider in the docs.
const cloudDetails = "Talks to the provider's DNS API (through its libdns module where that one is safe, else a small client " +
	"of our own). Publish appends one TXT value (never replaces the " +
	"set, so other CAs' and accounts' records stay); `remove` deletes exactly this value. The zone is found by SOA " +
	"queries unless the `_ZONE` variable names it. Errors name the provider, the record and the HTTP status, never the credentials."

// cloud lists the libdns-backed publishers.
func cloud() []provider {
	return []provider{
		libdnsProvider(azure.Describe(), adapt(azure.NewDNSProvider)),
		libdnsProvider(cloudflare.Describe(), adapt(cloudflare.NewDNSProvider)),
		libdnsProvider(desec.Describe(), adapt(desec.NewDNSProvider)),
		libdnsProvider(digitalocean.Describe(), adapt(digitalocean.NewDNSProvider)),
		libdnsProvider(googleclouddns.Describe(), adapt(googleclouddns.NewDNSProvider)),
		libdnsProvider(hetzner.Describe(), adapt(hetzner.NewDNSProvider)),
		libdnsProvider(powerdns.Describe(), adapt(powerdns.NewDNSProvider)),
		libdnsProvider(route53.Describe(), adapt(route53.NewDNSProvider)),
	}
}

func libdnsProvider(d libdnsadapter.Description, newFromEnv func() (persist.Publisher, error)) provider {
	env := make([]EnvVar, 0, len(d.Env))
	for _, e := range d.Env {
		env = append(env, EnvVar{Name: e.Name, Description: e.Description, Required: e.Required})
	}

	return provider{
		Info:       Info{Name: d.Name, Description: d.Description, Env: env, CanUnpublish: true},
		details:    cloudDetails,
		newFromEnv: newFromEnv,
	}
}
