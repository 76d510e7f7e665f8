package providers

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/testenv"
)

// nsupdatePath finds nsupdate (Debian: bind9-dnsutils). Without it the test
// skips, unless $CI is set: CI installs BIND, so there it fails.
func nsupdatePath(t *testing.T) string {
	t.Helper()

	p, err := exec.LookPath("nsupdate")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("nsupdate not found (install bind9-dnsutils): %v", err)
		}

		testenv.SkipOrFail(t, "nsupdate not found (install bind9-dnsutils to run this test): %v", err)
	}

	return p
}

// writeScript writes a script of the kind lego users keep for lego's exec
// provider: it appends its argument count and arguments (tab-separated) as
// one line to argvLog, then adds ("present") or deletes ("cleanup") the
// value with nsupdate, TSIG-signed, against the bed's BIND.
func writeScript(t *testing.T, b *bed.Bed, nsupdate, argvLog string) string {
	t.Helper()

	host, port, ok := strings.Cut(b.DNSAddr, ":")
	if !ok {
		t.Fatalf("bed DNS address %q has no port", b.DNSAddr)
	}

	key := strings.TrimSuffix(b.TSIGAlgorithm, ".") + ":" + b.TSIGKey + ":" + b.TSIGSecret

	script := `#!/bin/sh
set -eu
{ printf '%s' "$#"; for a in "$@"; do printf '\t%s' "$a"; done; printf '\n'; } >> ` + shQuote(argvLog) + `
case "$1" in
present) cmd="update add $2 60 TXT \"$3\"" ;;
cleanup) cmd="update delete $2 TXT \"$3\"" ;;
*) echo "unknown action: $1" >&2; exit 3 ;;
esac
printf 'server %s %s\nzone %s\n%s\nsend\n' ` + shQuote(host) + ` ` + shQuote(port) + ` ` + shQuote(b.Zone) + ` "$cmd" |
	` + shQuote(nsupdate) + ` -y ` + shQuote(key) + `
`

	path := filepath.Join(t.TempDir(), "dns-hook.sh")
	if err := os.WriteFile(path, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}

	return path
}

// shQuote quotes s for a POSIX shell.
func shQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// calls reads the script's argument log: one []string per call.
func calls(t *testing.T, argvLog string) [][]string {
	t.Helper()

	raw, err := os.ReadFile(argvLog)
	if os.IsNotExist(err) {
		return nil
	}

	if err != nil {
		t.Fatal(err)
	}

	var out [][]string

	for _, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		fields := strings.Split(line, "\t")

		if n, err := strconv.Atoi(fields[0]); err != nil || n != len(fields)-1 {
			t.Fatalf("argument log line %q: count %q does not match %d arguments", line, fields[0], len(fields)-1)
		}

		out = append(out, fields[1:])
	}

	return out
}

// TestExecScriptPublishesWithNsupdate drives `--dns-persist exec` with a
// lego-style hook script: run calls it once as `present <fqdn> <value>`,
// its nsupdate is the only write and Pebble issues the certificate; renew
// does not call it; remove calls `cleanup <fqdn> <value>` with the same
// value and the record is gone.
func TestExecScriptPublishesWithNsupdate(t *testing.T) {
	nsupdate := nsupdatePath(t)
	b := bed.New(t, bed.Options{})
	argvLog := filepath.Join(t.TempDir(), "argv.log")
	h := newHarness(t, b, "EXEC_PATH="+writeScript(t, b, nsupdate, argvLog))
	d := e2etest.Domain(b, "exec")
	name := e2etest.RecordName(d)

	before := state(t, b)

	res := h.Run(t, "--accept-tos", "--dns-persist", "exec", "-d", d, "run")
	if res.Code != 0 {
		t.Fatalf("run:\n%s", res)
	}

	storedCert(t, h.Path, d)

	value := h.wantValue(t)
	want := [][]string{{"present", name, value}}

	if got := calls(t, argvLog); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("script calls %q, want %q", got, want)
	}

	wantOneUpdate(t, b, before)

	if got := e2etest.TXT(t, b, name); !slices.Equal(got, []string{value}) {
		t.Errorf("TXT at %s = %q, want [%q]", name, got, value)
	}

	t.Run("renew does not call the script", func(t *testing.T) {
		before := state(t, b)

		res := h.Run(t, "--dns-persist", "exec", "renew", "--days", "9999", "--no-random-sleep")
		if res.Code != 0 {
			t.Fatalf("renew:\n%s", res)
		}

		if got := calls(t, argvLog); len(got) != 1 {
			t.Errorf("script calls after renewal %q, want only the first", got)
		}

		wantNoUpdate(t, b, before)
	})

	t.Run("remove calls cleanup with the published value", func(t *testing.T) {
		res := h.Run(t, "--dns-persist", "exec", "-d", d, "remove")
		if res.Code != 0 {
			t.Fatalf("remove:\n%s", res)
		}

		got := calls(t, argvLog)
		if want := []string{"cleanup", name, value}; len(got) != 2 || !slices.Equal(got[1], want) {
			t.Fatalf("script calls %q, want a second call %q", got, want)
		}

		if got := e2etest.TXT(t, b, name); len(got) != 0 {
			t.Errorf("TXT at %s = %q after remove, want none", name, got)
		}
	})
}
