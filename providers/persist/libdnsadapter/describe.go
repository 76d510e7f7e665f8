package libdnsadapter

// Description tells users how to configure a provider (lego-persist dnshelp).
type Description struct {
	Name        string   // as given to --dns-persist, lego's --dns name: "cloudflare"
	Aliases     []string // older names also accepted ("powerdns" for "pdns")
	Description string   // one paragraph: the API used, what Publish and Unpublish do, limits
	Env         []EnvVar // every variable read, required ones first

	// Backing names what talks to the API: "libdns/cloudflare v0.2.2",
	// "own client (net/http)", "SDK github.com/linode/linodego".
	Backing string

	// Safety is the verdict on concurrent writers, from reading the code
	// that writes: one of the Safe* constants, then what backs it.
	Safety string

	// LongValues says how a value over 255 octets is written: one of the
	// Long* constants, or a sentence of its own.
	LongValues string
}

// How values over 255 octets (a TXT character-string's limit, RFC 1035
// §3.3.14) are written.
const (
	// LongSplit: as several quoted strings in one record.
	LongSplit = "split into quoted strings of at most 255 octets in one record"
	// LongWhole: the API takes the text of a TXT record as one field.
	LongWhole = "sent whole in the API's text field; splitting it into 255-octet strings is the host's " +
		"(not checked against the live API)"
	// LongRefused: the library sends one string, which the host refuses
	// beyond 255 octets.
	LongRefused = "refused by the host: the library sends one quoted string, at most 255 octets"
)

// Safety verdicts (the start of Description.Safety).
const (
	// SafePerRecord: each value is a record of its own; publish sends only
	// ours and unpublish deletes only ours, so no other writer's value can
	// be lost, whatever runs at the same time.
	SafePerRecord = "safe (one record per value)"
	// SafePerValue: the API adds and removes single values of the set
	// (a PATCH of changes, an RFC 2136-like add/delete), never the set.
	SafePerValue = "safe (value-level changes)"
	// SafeConditional: the whole set is written, but conditionally (ETag,
	// an atomic change that must match what was read): a concurrent change
	// makes the write fail and it is retried on a fresh read.
	SafeConditional = "safe (conditional whole-set write)"
	// SafeReadBack: the whole set is written unconditionally; the set is
	// read back and repaired (Config.ReadBack), so a value a concurrent
	// writer dropped comes back within MaxRepairRounds.
	SafeReadBack = "safe with read-back (whole-set write, repaired)"
)

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
