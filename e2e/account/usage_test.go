package account

import (
	"os"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

func TestAccountCommandsRefuseBadInputBeforeTouchingAnything(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := newHarness(t, b)

	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"account", "foo"}, 2, "unknown command 'account foo'"},
		{[]string{"account", "deactivate", "--bogus"}, 2, "bogus"},
		{[]string{"--key-type", "rsa1", "account", "rollover"}, 2, "--key-type"},
		{[]string{"account", "show"}, 1, "no account for " + email},
		{[]string{"account", "rollover"}, 1, "no account for " + email},
		{[]string{"account", "deactivate", "--yes"}, 1, "no account for " + email},
	}

	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			res := h.Run(t, tc.args...)
			if res.Code != tc.code || !strings.Contains(res.Stderr, tc.want) {
				t.Errorf("want exit %d and %q:\n%s", tc.code, tc.want, res)
			}
		})
	}

	if n := e2etest.UpdateCount(t, b); n != 0 {
		t.Errorf("DNS updates: %d, want none", n)
	}

	if entries, _ := os.ReadDir(h.Path); len(entries) > 1 {
		t.Errorf("--path holds %v, want at most the lock file", entries)
	}
}
