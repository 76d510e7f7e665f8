// Command lego-persist is lego v4's CLI with dns-persist-01: the same flags,
// environment and --path storage, plus one standing TXT record per domain
// that is written once and makes every renewal free of DNS writes.
package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// version is stamped at release time: -ldflags "-X main.version=1.2.3".
var version = "dev"

// envDebugGoroutines makes the process print runtime.NumGoroutine to
// standard error when the command returns (leak checks of the load tests);
// the value "stacks" adds every goroutine's stack.
const envDebugGoroutines = "LEGO_PERSIST_DEBUG_GOROUTINES"

func main() {
	ctx, stop := interruptContext(os.Stderr)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)

	if v := os.Getenv(envDebugGoroutines); v != "" {
		fmt.Fprintf(os.Stderr, "lego-persist: goroutines at exit: %d\n", runtime.NumGoroutine())

		if v == "stacks" {
			_ = pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		}
	}

	stop()
	os.Exit(code)
}

// interrupted is the cancellation cause of the command context after
// SIGINT or SIGTERM.
type interrupted struct{ sig syscall.Signal }

func (i *interrupted) Error() string {
	return "interrupted by " + signalName(i.sig)
}

// exitCode is the shell convention for a process ended by a signal.
func (i *interrupted) exitCode() int { return 128 + int(i.sig) }

func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	default:
		return sig.String()
	}
}

// interruptContext returns a context cancelled, with an *interrupted
// cause, at the first SIGINT or SIGTERM. The command then stops starting
// work and cancels its requests to the CA, but a certificate whose files
// are being saved is saved completely (saves do not watch the context). A
// second signal exits at once: storage survives even that (see
// storage.CertStore.Recover), the next run completes an interrupted save.
func interruptContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	done := make(chan struct{})

	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)

	go func() {
		first := true

		for {
			select {
			case <-done:
				return
			case s := <-sigs:
				sig, _ := s.(syscall.Signal)
				cause := &interrupted{sig: sig}

				if !first {
					fmt.Fprintf(stderr, "lego-persist: %v again: exiting now; the next run completes any interrupted save\n", cause)
					os.Exit(cause.exitCode())
				}

				first = false

				fmt.Fprintf(stderr, "lego-persist: %v: stopping; certificates being saved are finished first (signal again to exit at once)\n", cause)
				cancel(cause)
			}
		}
	}()

	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// run executes the CLI and returns the process exit code: 0 success, 1 some
// certificate or check failed, 2 usage error, 128+n when signal n
// interrupted a command that had not finished all its work (130 SIGINT,
// 143 SIGTERM).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	app.Before = warnInsecure

	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}

	code := exitFailed

	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		err = ee.err
	}

	if err != nil {
		fmt.Fprintf(stderr, "lego-persist: %v%s\n", err, hint(err))
	}

	if code == exitUsage {
		fmt.Fprintln(stderr, "Run 'lego-persist --help' (or 'lego-persist help <command>') for usage.")
	}

	var intr *interrupted
	if errors.As(context.Cause(ctx), &intr) {
		fmt.Fprintf(stderr, "lego-persist: %v before the work was done; run the same command again to finish it\n", intr)
		return intr.exitCode()
	}

	return code
}

// insecureWarning is printed on every run with --tls-skip-verify: nothing
// may turn TLS verification off silently.
const insecureWarning = `WARNING: --%s: the CA's TLS certificate is NOT verified. Anyone on the
network path can impersonate the CA, see the account's requests and hand
out certificates of their choice. For a private CA, trust its root with
LEGO_CA_CERTIFICATES=/path/to/root.pem instead.
`

func warnInsecure(c *cli.Context) error {
	if c.Bool(flgTLSSkipVerify) {
		fmt.Fprintf(c.App.ErrWriter, insecureWarning, flgTLSSkipVerify)
	}

	return nil
}

// hint adds the next step to errors whose cause is well known.
func hint(err error) string {
	var unknownCA x509.UnknownAuthorityError
	if errors.As(err, &unknownCA) || strings.Contains(err.Error(), "certificate signed by unknown authority") {
		return "; the CA's TLS certificate is not signed by a trusted root: if the CA uses a private root," +
			" set LEGO_CA_CERTIFICATES to its PEM file"
	}

	return ""
}

// versionString is what --version prints: the version, the commit it was
// built from and the lego version it is built on, both from the binary's
// build information (`go build` records them), and the platform.
func versionString() string {
	info, _ := debug.ReadBuildInfo()

	return fmt.Sprintf("lego-persist version %s %s/%s (commit %s, lego %s)",
		versionOf(info), runtime.GOOS, runtime.GOARCH, commitOf(info), legoVersionOf(info))
}

// versionOf is the stamped version, else the module version `go install
// ...@vX` records, else "dev".
func versionOf(info *debug.BuildInfo) string {
	if version != "dev" || info == nil || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return version
	}

	return info.Main.Version
}

// commitOf is the VCS revision (12 hex digits, "+dirty" for a modified
// tree), or "unknown" when the build did not record one.
func commitOf(info *debug.BuildInfo) string {
	if info == nil {
		return "unknown"
	}

	rev, dirty := "", false

	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}

	if rev == "" {
		return "unknown"
	}

	if len(rev) > 12 {
		rev = rev[:12]
	}

	if dirty {
		rev += "+dirty"
	}

	return rev
}

// legoVersionOf is the version of github.com/go-acme/lego/v4 linked in.
func legoVersionOf(info *debug.BuildInfo) string {
	if info != nil {
		for _, d := range info.Deps {
			if d.Path == "github.com/go-acme/lego/v4" {
				if d.Replace != nil {
					return d.Replace.Version
				}

				return d.Version
			}
		}
	}

	return "unknown"
}
