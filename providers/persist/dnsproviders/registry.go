package dnsproviders

import (
	"fmt"
	"strings"

	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/lego-persist/lego-persist/providers/persist/exec"
	"github.com/lego-persist/lego-persist/providers/persist/httpreq"
	"github.com/lego-persist/lego-persist/providers/persist/manual"
	"github.com/lego-persist/lego-persist/providers/persist/rfc2136"
)

// registry returns a fresh list of every provider (in no particular order).
// Built on each call, so there is no package state to mutate.
func registry() []provider {
	return append(append(builtin(), cloud()...), refused()...)
}

// builtin lists the publishers that need no cloud API.
func builtin() []provider {
	return []provider{
		{
			Info: Info{
				Name:        None,
				Description: "Write nothing (read-only): a missing record is an error carrying the zone-file line to publish.",
			},
			details: "Use it when someone else publishes records, or to make sure a renewal never needs DNS credentials: " +
				"`lego-persist record -d example.com` prints the line in advance.",
		},
		{
			Info: Info{
				Name:         "rfc2136",
				Description:  "RFC 2136 dynamic update to the zone's primary server, signed with TSIG.",
				Env:          rfc2136Env(),
				CanUnpublish: true,
				Safety: "safe (value-level changes): an RFC 2136 update adds one RR (§2.5.1) and removal deletes " +
					"exactly that RR (§2.5.4); the server applies each update atomically.",
			},
			details: "Same variables as lego's `rfc2136` provider; each `DNSUPDATE_*` name falls back to its legacy " +
				"`RFC2136_*` twin. The update adds one TXT RR (RFC 2136 §2.5.1) and `remove` deletes exactly that RR " +
				"(§2.5.4), so other CAs' and accounts' records at the name stay. Note: the default TSIG algorithm is " +
				"hmac-sha256, where lego defaults to hmac-sha1; set `DNSUPDATE_TSIG_ALGORITHM` if a lego setup relied on that.",
			newFromEnv: adapt(rfc2136.NewDNSProvider),
		},
		{
			Info: Info{
				Name:        "exec",
				Description: "Run a program: `$EXEC_PATH present <fqdn> <value>`, and `cleanup <fqdn> <value>` to remove.",
				Env: []EnvVar{
					{Name: exec.EnvPath, Description: "Path of the program to run.", Required: true},
					{Name: exec.EnvMode, Description: "Leave unset. lego's `RAW` mode (domain, token, key authorization) has no dns-persist-01 equivalent and is refused."},
					{Name: exec.EnvPropagationTimeout, Description: ignoredPropagation},
					{Name: exec.EnvPollingInterval, Description: ignoredPropagation},
				},
				CanUnpublish: true,
				Safety:       "up to the program: it must add the value, not replace the set.",
			},
			details: "The calling convention of lego's `exec` provider: the action, the record name with a trailing dot " +
				"and the whole record value, one argument each, never through a shell, e.g.\n\n" +
				"```sh\n" +
				"/path/to/hook present _validation-persist.example.com. 'ca.example; accounturi=https://ca.example/acct/123'\n" +
				"```\n\n" +
				"The program must **add** the value to the TXT set at that name (other CAs' and accounts' records stay), " +
				"split it into 255-octet strings if it is longer, and exit with status 0 on success. " +
				"On failure its exit status and the start of its output (stdout and stderr) are reported. " +
				"Standard input is empty; cancelling the run kills the program.",
			newFromEnv: adapt(exec.NewDNSProvider),
		},
		{
			Info: Info{
				Name:        "httpreq",
				Description: "POST `{\"fqdn\", \"value\"}` as JSON to `$HTTPREQ_ENDPOINT/present`, and `/cleanup` to remove.",
				Env: []EnvVar{
					{Name: httpreq.EnvEndpoint, Description: "Base URL (http or https); `/present` and `/cleanup` are appended to its path.", Required: true},
					{Name: httpreq.EnvUsername, Description: "HTTP basic authentication user (sent only with a password)."},
					{Name: httpreq.EnvPassword, Description: "HTTP basic authentication password (never logged)."},
					{Name: httpreq.EnvHTTPTimeout, Description: fmt.Sprintf("Request timeout in seconds (default %d).", int(httpreq.DefaultHTTPTimeout.Seconds()))},
					{Name: httpreq.EnvMode, Description: "Leave unset. lego's `RAW` mode (domain, token, key authorization) has no dns-persist-01 equivalent and is refused."},
					{Name: httpreq.EnvPropagationTimeout, Description: ignoredPropagation},
					{Name: httpreq.EnvPollingInterval, Description: ignoredPropagation},
				},
				CanUnpublish: true,
				Safety:       "up to the endpoint: it must add the value, not replace the set.",
			},
			details: "The protocol of lego's `httpreq` provider in its default mode:\n\n" +
				"```http\n" +
				"POST /present HTTP/1.1\n" +
				"Content-Type: application/json\n\n" +
				"{\"fqdn\":\"_validation-persist.example.com.\",\"value\":\"ca.example; accounturi=https://ca.example/acct/123\"}\n" +
				"```\n\n" +
				"Any 2xx status is success. The value is sent whole even beyond 255 octets: the endpoint splits it " +
				"into TXT strings, and must **add** it to the TXT set (other records at the name stay). " +
				"Errors name the record, the HTTP status and the start of the response body.",
			newFromEnv: adapt(httpreq.NewDNSProvider),
		},
		{
			Info: Info{
				Name:        "manual",
				Description: "Print the zone-file line to publish, then wait until the zone's authoritative servers serve it.",
				Env: []EnvVar{
					{Name: manual.EnvTTL, Description: fmt.Sprintf("TTL in the printed line (default %d).", manual.DefaultTTL)},
					{Name: manual.EnvPropagationTimeout, Description: fmt.Sprintf("How long to wait for the record, in seconds (default %d).", int(manual.DefaultTimeout.Seconds()))},
					{Name: manual.EnvPollingInterval, Description: fmt.Sprintf("Seconds between two checks (default %d).", int(manual.DefaultInterval.Seconds()))},
				},
			},
			details: "Interactive use only: when standard input is not a terminal (cron, CI, systemd) it fails at once " +
				"with the exact line to publish, so a later run finds the record and writes nothing. " +
				"It cannot remove records: delete the line from the zone by hand. In Go, give the provider a check " +
				"with `WithCheck` (lego-persist asks the zone's authoritative servers); without one it fails at once, " +
				"as in a non-interactive run.",
			newFromEnv: adapt(manual.NewDNSProvider),
		},
	}
}

const ignoredPropagation = "Accepted for lego compatibility and ignored: propagation is checked by lego-persist (`--dns-persist.propagation.*`)."

// rfc2136Env documents the rfc2136 variables from that package's names.
func rfc2136Env() []EnvVar {
	v := func(name, desc string, required bool) EnvVar {
		legacy := "RFC2136_" + strings.TrimPrefix(name, "DNSUPDATE_")

		return EnvVar{Name: name, Description: desc + " Legacy name: `" + legacy + "`.", Required: required}
	}

	return []EnvVar{
		v(rfc2136.EnvNameserver, "Primary server taking updates, `host` or `host:port` (port 53 by default).", true),
		v(rfc2136.EnvTSIGKey, "TSIG key name; with no key and no secret, updates go unsigned.", false),
		v(rfc2136.EnvTSIGSecret, "TSIG secret, base64 (never logged).", false),
		v(rfc2136.EnvTSIGAlgorithm, "TSIG algorithm: hmac-sha256 (default), hmac-sha1, hmac-sha224, hmac-sha384, hmac-sha512, or gss-tsig (below).", false),
		v(rfc2136.EnvTSIGFile, "BIND key file (`key \"name\" { algorithm ...; secret \"...\"; };`), used instead of the three above.", false),
		v(rfc2136.EnvTTL, fmt.Sprintf("TTL of the published record in seconds (default %d).", rfc2136.DefaultTTL), false),
		v(rfc2136.EnvDNSTimeout, fmt.Sprintf("Timeout of each DNS exchange in seconds (default %d).", int(rfc2136.DefaultDNSTimeout.Seconds())), false),
		v(rfc2136.EnvZones, "Comma-separated zones the server takes updates for; by default the zone is found by SOA queries.", false),
		gss(rfc2136.EnvTSIGGSSRealm, "GSS-TSIG (RFC 3645, with `DNSUPDATE_TSIG_ALGORITHM=gss-tsig`): the Kerberos realm."),
		gss(rfc2136.EnvTSIGGSSUsername, "GSS-TSIG: the Kerberos user name."),
		gss(rfc2136.EnvTSIGGSSPassword, "GSS-TSIG: the Kerberos password (never logged), or use the keytab."),
		gss(rfc2136.EnvTSIGGSSKeytabFile, "GSS-TSIG: a keytab file, instead of the password."),
	}
}

// gss describes a GSS-TSIG variable with the twins lego also reads.
func gss(name, desc string) EnvVar {
	suffix := strings.TrimPrefix(name, "DNSUPDATE_TSIG_GSS_")

	return EnvVar{Name: name, Description: desc + " Also read as `DNSUPDATE_RFC3645_" + suffix + "` and `RFC2136_TSIG_GSS_" + suffix + "`."}
}

// adapt turns a NewDNSProvider function into a registry constructor,
// returning a nil interface (not a typed nil) on error.
func adapt[T persist.Publisher](newFromEnv func() (T, error)) func() (persist.Publisher, error) {
	return func() (persist.Publisher, error) {
		p, err := newFromEnv()
		if err != nil {
			return nil, err
		}

		return p, nil
	}
}
