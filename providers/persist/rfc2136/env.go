package rfc2136

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
)

// Environment variable names, lego's. Each falls back to its legacy RFC2136_*
// twin (RFC2136_NAMESERVER ...), and each may be given as NAME_FILE (the
// value read from that file), as in lego.
const (
	envNamespace = "DNSUPDATE_"

	// altEnvNamespace is the legacy prefix lego still honors.
	altEnvNamespace = "RFC2136_"

	EnvNameserver    = envNamespace + "NAMESERVER"
	EnvTSIGKey       = envNamespace + "TSIG_KEY"
	EnvTSIGSecret    = envNamespace + "TSIG_SECRET"
	EnvTSIGAlgorithm = envNamespace + "TSIG_ALGORITHM"
	EnvTSIGFile      = envNamespace + "TSIG_FILE"
	EnvTTL           = envNamespace + "TTL"
	EnvDNSTimeout    = envNamespace + "DNS_TIMEOUT"
	EnvZones         = envNamespace + "ZONES"
)

// altEnvName is the legacy twin of a DNSUPDATE_* name.
func altEnvName(name string) string {
	return altEnvNamespace + strings.TrimPrefix(name, envNamespace)
}

// getString reads name, else its legacy twin (either also as NAME_FILE).
func getString(name, defaultValue string) string {
	return env.GetOneWithFallback(name, defaultValue, env.ParseString, altEnvName(name))
}

// checkNumber reports a variable (or its twin) that is set but is not a
// non-negative integer: lego's helpers would silently use the default.
func checkNumber(name string) error {
	v := getString(name, "")
	if v == "" {
		return nil
	}

	if n, err := strconv.Atoi(v); err != nil || n < 0 {
		return fmt.Errorf("%s (or %s) = %q: want a whole number", name, altEnvName(name), v)
	}

	return nil
}

func getSeconds(name string, defaultValue time.Duration) time.Duration {
	return env.GetOneWithFallback(name, defaultValue, env.ParseSecond, altEnvName(name))
}

func getInt(name string, defaultValue int) int {
	return env.GetOneWithFallback(name, defaultValue, strconv.Atoi, altEnvName(name))
}

func splitList(v string) []string {
	var out []string

	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}

	return out
}
