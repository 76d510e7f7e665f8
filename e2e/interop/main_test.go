// Package interop shows that lego-persist and lego v4.35.2's own CLI share
// one --path in both directions: both binaries are built once (lego from
// this module's dependency graph, where go.mod declares it as a tool) and run
// as child processes against Pebble and BIND 9 on loopback (e2e/bed).
package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// legoBin and persistBin are the binaries built by TestMain.
var legoBin, persistBin string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lego-persist-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	legoBin = filepath.Join(dir, "lego")
	persistBin = filepath.Join(dir, "lego-persist")

	// lego is the version go.mod pins (a `tool` line), so the CLI under
	// test is exactly v4.35.2's, built from the module cache.
	for _, b := range []struct{ out, pkg string }{
		{legoBin, "github.com/go-acme/lego/v4/cmd/lego"},
		{persistBin, "github.com/lego-persist/lego-persist/cmd/lego-persist"},
	} {
		build := exec.Command("go", "build", "-o", b.out, b.pkg)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr

		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n", b.pkg, err)
			return 1
		}
	}

	return m.Run()
}

// shared is one --path and account email used by both CLIs against one bed.
type shared struct {
	b     *bed.Bed
	path  string
	email string
}

func newShared(t *testing.T, b *bed.Bed) *shared {
	t.Helper()

	return &shared{b: b, path: filepath.Join(t.TempDir(), ".lego"), email: "interop@example.com"}
}

// result of one invocation.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// persist runs lego-persist with the bed's CA, the shared --path and email,
// and the bed's BIND as the only resolver (checked directly: the zone's NS
// hosts answer on port 53, which the bed does not use).
func (s *shared) persist(t *testing.T, args ...string) result {
	t.Helper()

	globals := []string{
		"--server", s.b.DirectoryURL,
		"--path", s.path,
		"--email", s.email,
		"--dns-persist.resolvers", s.b.DNSAddr,
		"--dns-persist.propagation.disable-ans",
	}

	return run(t, persistBin, s.b.Env(), append(globals, args...))
}

// lego runs lego v4.35.2 with the same CA, --path and email. Its dns-01
// fallback (--dns rfc2136) updates the bed's BIND through DNSUPDATE_* and
// checks propagation there only, polling every second and pausing one
// second (not 60) between the names of a multi-name order.
func (s *shared) lego(t *testing.T, args ...string) result {
	t.Helper()

	globals := []string{
		"--server", s.b.DirectoryURL,
		"--path", s.path,
		"--email", s.email,
		"--dns.resolvers", s.b.DNSAddr,
		"--dns.propagation-disable-ans",
	}

	env := append(s.b.Env(), "DNSUPDATE_POLLING_INTERVAL=1", "DNSUPDATE_PROPAGATION_TIMEOUT=30", "DNSUPDATE_SEQUENCE_INTERVAL=1")

	return run(t, legoBin, env, append(globals, args...))
}

// run executes bin with args; env (the bed's LEGO_CA_CERTIFICATES and
// DNSUPDATE_* among them) is appended to this process's environment.
func run(t *testing.T, bin string, env, args []string) result {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)

	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut

	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errOut.String()}

	var ee *exec.ExitError

	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("run %s %v: %v", filepath.Base(bin), args, err)
	}

	return res
}

func domain(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

func recordName(d string) string {
	return "_validation-persist." + d + "."
}
