package e2etest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
)

// Packages of the commands the e2e tests build.
const (
	PersistPkg = "github.com/lego-persist/lego-persist/cmd/lego-persist"
	// LegoPkg is lego's CLI at the version go.mod pins (a tool line).
	LegoPkg = "github.com/go-acme/lego/v4/cmd/lego"
)

// Binary is one Go command that Main builds once per test binary.
type Binary struct {
	// Pkg is the command's import path.
	Pkg string
	// LDFlags is passed as -ldflags when not empty.
	LDFlags string
	// Tags is passed as -tags when not empty ("light": make build-light's
	// build); the executable's name then ends in "-" and the tags.
	Tags string
	// Path is the built executable, set by Main before the tests run.
	Path string
}

// Main builds every binary into one temporary directory (named after
// prefix; each executable named after its package's last element), runs
// the tests, removes the directory and returns the exit code for os.Exit:
// m.Run's, or 1 when a build fails (the go build output and the error go to
// stderr).
func Main(m *testing.M, prefix string, bins ...*Binary) int {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	for _, b := range bins {
		b.Path = filepath.Join(dir, path.Base(b.Pkg))

		args := []string{"build"}
		if b.LDFlags != "" {
			args = append(args, "-ldflags", b.LDFlags)
		}

		if b.Tags != "" {
			b.Path += "-" + strings.ReplaceAll(b.Tags, ",", "-")
			args = append(args, "-tags", b.Tags)
		}

		build := exec.Command("go", append(args, "-o", b.Path, b.Pkg)...)
		build.Stdout, build.Stderr = os.Stderr, os.Stderr

		if err := build.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n", b.Pkg, err)
			return 1
		}
	}

	return m.Run()
}

// Result is what one run of a binary printed and how it exited.
type Result struct {
	Code           int
	Stdout, Stderr string
	// State is the ended process (for its resource usage).
	State *os.ProcessState
}

// String shows the exit code and both outputs, for test failures.
func (r Result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// ExitCode is the exit code err from exec.Cmd's Run or Wait stands for: 0
// for nil, the code of an *exec.ExitError, and err itself when the process
// could not be run or waited for.
func ExitCode(err error) (int, error) {
	var ee *exec.ExitError

	switch {
	case err == nil:
		return 0, nil
	case errors.As(err, &ee):
		return ee.ExitCode(), nil
	default:
		return 0, err
	}
}

// command is bin args with os.Environ() plus env, killed when ctx ends.
func command(ctx context.Context, bin string, env []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)

	return cmd
}

// Exec runs bin with args, its environment os.Environ() plus env, until it
// exits or ctx ends (then it is killed), and returns its output and exit
// code. It fails tb when bin cannot be run.
func Exec(ctx context.Context, tb testing.TB, bin string, env []string, args ...string) Result {
	tb.Helper()

	cmd := command(ctx, bin, env, args...)

	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut

	code, err := ExitCode(cmd.Run())
	if err != nil {
		tb.Fatalf("run %s %v: %v", filepath.Base(bin), args, err)
	}

	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String(), State: cmd.ProcessState}
}

// Harness runs a lego-persist binary against one bed with one --path and
// account email, the way users and cron run it.
type Harness struct {
	Bed *bed.Bed
	// Binary is the lego-persist executable.
	Binary string
	// Server is --server: the bed's directory, or a proxy's in front of it.
	Server string
	// Path is --path.
	Path string
	// Email is --email.
	Email string
	// PollInterval is --dns-persist.propagation.interval; empty leaves the
	// flag out.
	PollInterval string
	// Env is added after os.Environ() and Bed.Env() in every run.
	Env []string
	// Timeout bounds each Run; the process is killed after it.
	Timeout time.Duration
}

// NewHarness returns a harness for binary against b's CA with email, a
// fresh --path under tb's temporary directory, a 50ms propagation poll and
// timeout per run.
func NewHarness(tb testing.TB, b *bed.Bed, binary, email string, timeout time.Duration) *Harness {
	tb.Helper()

	return &Harness{
		Bed:          b,
		Binary:       binary,
		Server:       b.DirectoryURL,
		Path:         filepath.Join(tb.TempDir(), ".lego"),
		Email:        email,
		PollInterval: "50ms",
		Timeout:      timeout,
	}
}

// Args are the global flags (the CA, --path, --email, and the bed's BIND as
// the only resolver, checked directly since the zone's NS hosts would answer
// on port 53, which the bed does not use) followed by args.
func (h *Harness) Args(args ...string) []string {
	globals := []string{
		"--server", h.Server,
		"--path", h.Path,
		"--email", h.Email,
		"--dns-persist.resolvers", h.Bed.DNSAddr,
		"--dns-persist.propagation.disable-ans",
	}

	if h.PollInterval != "" {
		globals = append(globals, "--dns-persist.propagation.interval", h.PollInterval)
	}

	return append(globals, args...)
}

// env is the bed's environment then h.Env.
func (h *Harness) env() []string {
	return append(h.Bed.Env(), h.Env...)
}

// Command is the unstarted lego-persist <globals> <args...> with the bed's
// environment and Env, killed when ctx ends (Timeout does not apply).
func (h *Harness) Command(ctx context.Context, args ...string) *exec.Cmd {
	return command(ctx, h.Binary, h.env(), h.Args(args...)...)
}

// Run executes lego-persist <globals> <args...> for at most Timeout and
// returns its output and exit code, failing tb when it cannot be run.
func (h *Harness) Run(tb testing.TB, args ...string) Result {
	tb.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	defer cancel()

	return Exec(ctx, tb, h.Binary, h.env(), h.Args(args...)...)
}
