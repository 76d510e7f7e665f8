// Package cli holds end-to-end tests of the lego-persist binary: it is built
// once, then run as a child process against Pebble and BIND 9 on loopback
// (the e2e/bed test bed), the way users and cron run it.
package cli

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

// binary is the lego-persist built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lego-persist-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	binary = filepath.Join(dir, "lego-persist")

	build := exec.Command("go", "build", "-ldflags", "-X main.version=e2e", "-o", binary,
		"github.com/lego-persist/lego-persist/cmd/lego-persist")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr

	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lego-persist:", err)
		return 1
	}

	return m.Run()
}

// harness runs the binary against one bed with one --path and account.
type harness struct {
	b     *bed.Bed
	path  string
	email string
}

func newHarness(t *testing.T, b *bed.Bed) *harness {
	t.Helper()

	return &harness{b: b, path: filepath.Join(t.TempDir(), ".lego"), email: "cli@example.com"}
}

// result of one invocation.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// globals are the flags every invocation needs: the bed's CA and the bed's
// BIND as the only resolver, checked directly (its NS hosts answer on 53,
// which the bed does not use).
func (h *harness) globals() []string {
	return []string{
		"--server", h.b.DirectoryURL,
		"--path", h.path,
		"--email", h.email,
		"--dns-persist.resolvers", h.b.DNSAddr,
		"--dns-persist.propagation.disable-ans",
		"--dns-persist.propagation.interval", "50ms",
	}
}

// run executes lego-persist <globals> <args...>.
func (h *harness) run(t *testing.T, args ...string) result {
	t.Helper()

	return h.runCtx(t, context.Background(), args...)
}

func (h *harness) runCtx(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()

	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, binary, append(h.globals(), args...)...)
	cmd.Env = append(os.Environ(), h.b.Env()...)

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
		t.Fatalf("run lego-persist %v: %v", args, err)
	}

	return res
}

func domain(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

func recordName(d string) string {
	return "_validation-persist." + strings.TrimPrefix(d, "*.") + "."
}

func serial(t *testing.T, b *bed.Bed) uint32 {
	t.Helper()

	s, err := b.SOASerial(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	return s
}

func txt(t *testing.T, b *bed.Bed, name string) []string {
	t.Helper()

	v, err := b.TXT(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}

	return v
}

func updateCount(t *testing.T, b *bed.Bed) int {
	t.Helper()

	n, err := b.UpdateCount()
	if err != nil {
		t.Fatal(err)
	}

	return n
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
