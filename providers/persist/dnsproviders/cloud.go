//go:build !light

package dnsproviders

import (
	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/alidns"
	"github.com/lego-persist/lego-persist/providers/persist/azuredns"
	"github.com/lego-persist/lego-persist/providers/persist/bunny"
	"github.com/lego-persist/lego-persist/providers/persist/civo"
	"github.com/lego-persist/lego-persist/providers/persist/cloudflare"
	"github.com/lego-persist/lego-persist/providers/persist/cloudns"
	"github.com/lego-persist/lego-persist/providers/persist/desec"
	"github.com/lego-persist/lego-persist/providers/persist/digitalocean"
	"github.com/lego-persist/lego-persist/providers/persist/dnsimple"
	"github.com/lego-persist/lego-persist/providers/persist/dynu"
	"github.com/lego-persist/lego-persist/providers/persist/gandiv5"
	"github.com/lego-persist/lego-persist/providers/persist/gcloud"
	"github.com/lego-persist/lego-persist/providers/persist/gcore"
	"github.com/lego-persist/lego-persist/providers/persist/godaddy"
	"github.com/lego-persist/lego-persist/providers/persist/hetzner"
	"github.com/lego-persist/lego-persist/providers/persist/hostingde"
	"github.com/lego-persist/lego-persist/providers/persist/huaweicloud"
	"github.com/lego-persist/lego-persist/providers/persist/infomaniak"
	"github.com/lego-persist/lego-persist/providers/persist/inwx"
	"github.com/lego-persist/lego-persist/providers/persist/ionos"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
	"github.com/lego-persist/lego-persist/providers/persist/linode"
	"github.com/lego-persist/lego-persist/providers/persist/luadns"
	"github.com/lego-persist/lego-persist/providers/persist/mythicbeasts"
	"github.com/lego-persist/lego-persist/providers/persist/namesilo"
	"github.com/lego-persist/lego-persist/providers/persist/netcup"
	"github.com/lego-persist/lego-persist/providers/persist/njalla"
	"github.com/lego-persist/lego-persist/providers/persist/ns1"
	"github.com/lego-persist/lego-persist/providers/persist/ovh"
	"github.com/lego-persist/lego-persist/providers/persist/pdns"
	"github.com/lego-persist/lego-persist/providers/persist/porkbun"
	"github.com/lego-persist/lego-persist/providers/persist/regru"
	"github.com/lego-persist/lego-persist/providers/persist/route53"
	"github.com/lego-persist/lego-persist/providers/persist/scaleway"
	"github.com/lego-persist/lego-persist/providers/persist/tencentcloud"
	"github.com/lego-persist/lego-persist/providers/persist/vultr"
)

// cloudDetails is shown under every cloud publisher in the docs.
const cloudDetails = "Publish adds one TXT value next to the others at the name (never `SetRecords`: other CAs' and " +
	"accounts' records stay); `remove` deletes exactly this value. The zone is found by SOA queries unless the " +
	"`_ZONE` variable names it. Errors are one line naming the provider, the record and the HTTP status, never the credentials."

// cloud lists the publishers that talk to a DNS host's API. This file is
// the one a light build leaves out.
func cloud() []provider {
	return []provider{
		cloudProvider(alidns.Describe(), adapt(alidns.NewDNSProvider)),
		cloudProvider(azuredns.Describe(), adapt(azuredns.NewDNSProvider)),
		cloudProvider(bunny.Describe(), adapt(bunny.NewDNSProvider)),
		cloudProvider(civo.Describe(), adapt(civo.NewDNSProvider)),
		cloudProvider(cloudflare.Describe(), adapt(cloudflare.NewDNSProvider)),
		cloudProvider(cloudns.Describe(), adapt(cloudns.NewDNSProvider)),
		cloudProvider(desec.Describe(), adapt(desec.NewDNSProvider)),
		cloudProvider(digitalocean.Describe(), adapt(digitalocean.NewDNSProvider)),
		cloudProvider(dnsimple.Describe(), adapt(dnsimple.NewDNSProvider)),
		cloudProvider(dynu.Describe(), adapt(dynu.NewDNSProvider)),
		cloudProvider(gandiv5.Describe(), adapt(gandiv5.NewDNSProvider)),
		cloudProvider(gcloud.Describe(), adapt(gcloud.NewDNSProvider)),
		cloudProvider(gcore.Describe(), adapt(gcore.NewDNSProvider)),
		cloudProvider(godaddy.Describe(), adapt(godaddy.NewDNSProvider)),
		cloudProvider(hetzner.Describe(), adapt(hetzner.NewDNSProvider)),
		cloudProvider(hostingde.Describe(), adapt(hostingde.NewDNSProvider)),
		cloudProvider(huaweicloud.Describe(), adapt(huaweicloud.NewDNSProvider)),
		cloudProvider(infomaniak.Describe(), adapt(infomaniak.NewDNSProvider)),
		cloudProvider(inwx.Describe(), adapt(inwx.NewDNSProvider)),
		cloudProvider(ionos.Describe(), adapt(ionos.NewDNSProvider)),
		cloudProvider(linode.Describe(), adapt(linode.NewDNSProvider)),
		cloudProvider(luadns.Describe(), adapt(luadns.NewDNSProvider)),
		cloudProvider(mythicbeasts.Describe(), adapt(mythicbeasts.NewDNSProvider)),
		cloudProvider(namesilo.Describe(), adapt(namesilo.NewDNSProvider)),
		cloudProvider(netcup.Describe(), adapt(netcup.NewDNSProvider)),
		cloudProvider(njalla.Describe(), adapt(njalla.NewDNSProvider)),
		cloudProvider(ns1.Describe(), adapt(ns1.NewDNSProvider)),
		cloudProvider(ovh.Describe(), adapt(ovh.NewDNSProvider)),
		cloudProvider(pdns.Describe(), adapt(pdns.NewDNSProvider)),
		cloudProvider(porkbun.Describe(), adapt(porkbun.NewDNSProvider)),
		cloudProvider(regru.Describe(), adapt(regru.NewDNSProvider)),
		cloudProvider(route53.Describe(), adapt(route53.NewDNSProvider)),
		cloudProvider(scaleway.Describe(), adapt(scaleway.NewDNSProvider)),
		cloudProvider(tencentcloud.Describe(), adapt(tencentcloud.NewDNSProvider)),
		cloudProvider(vultr.Describe(), adapt(vultr.NewDNSProvider)),
	}
}

func cloudProvider(d libdnsadapter.Description, newFromEnv func() (persist.Publisher, error)) provider {
	env := make([]EnvVar, 0, len(d.Env))
	for _, e := range d.Env {
		env = append(env, EnvVar{Name: e.Name, Description: e.Description, Required: e.Required})
	}

	return provider{
		Info: Info{
			Name: d.Name, Aliases: d.Aliases, Description: d.Description, Env: env, CanUnpublish: true,
			Backing: d.Backing, Safety: d.Safety, LongValues: d.LongValues,
		},
		details:    cloudDetails,
		newFromEnv: newFromEnv,
	}
}
