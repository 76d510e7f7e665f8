// Package interop shows that lego-persist and lego v4.35.2's own CLI share
// one --path in both directions: both binaries are built once (lego from
// this module's dependency graph, where go.mod declares it as a tool) and run
// as child processes against Pebble and BIND 9 on loopback (e2e/bed).
package interop

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// runTimeout bounds each run of either binary.
const runTimeout = 2 * time.Minute

// legoBin and persistBin are the binaries built by TestMain. lego is the
// version go.mod pins (a `tool` line), so the CLI under test is exactly
// v4.35.2's, built from the module cache.
var (
	legoBin    = &e2etest.Binary{Pkg: e2etest.LegoPkg}
	persistBin = &e2etest.Binary{Pkg: e2etest.PersistPkg}
)

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-interop-", legoBin, persistBin))
}

// shared is one --path and account email used by both CLIs against one
// bed.
type shared struct {
	*e2etest.Harness
}

// newShared runs lego-persist with the bed's CA, a fresh --path, account
// interop@example.com and the bed's BIND as the only resolver (checked
// directly: the zone's NS hosts answer on port 53, which the bed does not
// use), with lego-persist's default propagation poll.
func newShared(t *testing.T, b *bed.Bed) *shared {
	t.Helper()

	h := e2etest.NewHarness(t, b, persistBin.Path, "interop@example.com", runTimeout)
	h.PollInterval = ""

	return &shared{h}
}

// persist runs lego-persist with the shared --path and email.
func (s *shared) persist(t *testing.T, args ...string) e2etest.Result {
	t.Helper()

	return s.Run(t, args...)
}

// lego runs lego v4.35.2 with the same CA, --path and email. Its dns-01
// fallback (--dns rfc2136) updates the bed's BIND through DNSUPDATE_* and
// checks propagation there only, polling every second and pausing one
// second (not 60) between the names of a multi-name order.
func (s *shared) lego(t *testing.T, args ...string) e2etest.Result {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()

	globals := []string{
		"--server", s.Bed.DirectoryURL,
		"--path", s.Path,
		"--email", s.Email,
		"--dns.resolvers", s.Bed.DNSAddr,
		"--dns.propagation-disable-ans",
	}

	env := append(s.Bed.Env(), "DNSUPDATE_POLLING_INTERVAL=1", "DNSUPDATE_PROPAGATION_TIMEOUT=30", "DNSUPDATE_SEQUENCE_INTERVAL=1")

	return e2etest.Exec(ctx, t, legoBin.Path, env, append(globals, args...)...)
}
