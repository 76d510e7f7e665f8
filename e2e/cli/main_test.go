// Package cli holds end-to-end tests of the lego-persist binary: it is built
// once, then run as a child process against Pebble and BIND 9 on loopback
// (the e2e/bed test bed), the way users and cron run it.
package cli

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// binary is the lego-persist built by TestMain.
var binary = &e2etest.Binary{Pkg: e2etest.PersistPkg, LDFlags: "-X main.version=e2e"}

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-cli-", binary))
}

// newHarness runs the binary against b's CA with a fresh --path, account
// cli@example.com, a 50ms propagation poll and at most 5 minutes a run.
func newHarness(t *testing.T, b *bed.Bed) *e2etest.Harness {
	t.Helper()

	return e2etest.NewHarness(t, b, binary.Path, "cli@example.com", 5*time.Minute)
}

// lines returns stdout's lines that start with prefix.
func lines(stdout, prefix string) []string {
	var out []string

	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}

	return out
}
