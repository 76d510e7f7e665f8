package account

import (
	"context"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// lego runs lego v4.35.2 on h's CA, --path and email, with its dns-01
// solver against the bed's BIND.
func lego(t *testing.T, h *e2etest.Harness, args ...string) e2etest.Result {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()

	globals := []string{
		"--server", h.Server, "--path", h.Path, "--email", h.Email,
		"--dns.resolvers", h.Bed.DNSAddr, "--dns.propagation-disable-ans",
	}
	env := append(h.Bed.Env(), "DNSUPDATE_POLLING_INTERVAL=1", "DNSUPDATE_PROPAGATION_TIMEOUT=30")

	return e2etest.Exec(ctx, t, legoBin.Path, env, append(globals, args...)...)
}

func TestLegoV4KeepsWorkingOnThePathAfterRolloverAndDeactivation(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)
	d := e2etest.Domain(b, "lego")

	issue(t, h, d)

	if res := h.Run(t, "account", "rollover"); res.Code != 0 {
		t.Fatalf("rollover:\n%s", res)
	}

	// lego signs with keys/<email>.key: the CA must take it as the account.
	res := lego(t, h, "--dns", "rfc2136", "-d", d, "renew", "--days", "9999", "--no-random-sleep")
	if res.Code != 0 {
		t.Fatalf("lego v4 renew after the rollover:\n%s", res)
	}

	if res := h.Run(t, "account", "deactivate", "--yes"); res.Code != 0 {
		t.Fatalf("deactivate:\n%s", res)
	}

	// The files lego-persist added (key history, journal, marker) are none
	// that lego's account listing parses.
	res = lego(t, h, "list", "--accounts")
	if res.Code != 0 || strings.Count(res.Stdout, "  Email: "+email) != 1 {
		t.Errorf("lego list --accounts after rollover and deactivation: want exit 0 and the one account:\n%s", res)
	}
}
