package libdnsadapter

// Description tells users how to configure a provider (lego-persist dnshelp).
type Description struct {
	Name        string   // as given to --dns-persist: "cloudflare"
	Description string   // one paragraph: the API used, what Publish and Unpublish do, limits
	Env         []EnvVar // every variable read, required ones first
}

// EnvVar is one environment variable a provider reads. Every variable may
// also be given as NAME_FILE (the value read from that file), as in lego.
type EnvVar struct {
	Name        string
	Description string
	Required    bool
}

// ZoneEnvDescription is the text of every provider's <PREFIX>_ZONE variable.
const ZoneEnvDescription = "Zone holding the records (e.g. example.com); when unset it is found by SOA lookups " +
	"through the resolvers of /etc/resolv.conf (or the --dns-persist.resolvers given). lego-persist's own variable, not lego's"

// TimeoutEnvDescription is the text of every provider's <PREFIX>_HTTP_TIMEOUT.
const TimeoutEnvDescription = "Seconds one publish or unpublish may take as a whole, retries included (default 60)"
