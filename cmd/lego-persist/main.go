// Command lego-persist is lego v4's CLI with dns-persist-01: the same flags,
// environment and --path storage, plus one standing TXT record per domain
// that is written once and makes every renewal free of DNS writes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

// version is stamped at release time: -ldflags "-X main.version=1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdout, os.Stderr)

	stop()
	os.Exit(code)
}

// run executes the CLI and returns the process exit code: 0 success, 1 some
// certificate or check failed, 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)

	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}

	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "lego-persist: %v\n", ee.err)
		}

		if ee.code == exitUsage {
			fmt.Fprintln(stderr, "Run 'lego-persist --help' (or 'lego-persist help <command>') for usage.")
		}

		return ee.code
	}

	fmt.Fprintf(stderr, "lego-persist: %v\n", err)

	return exitFailed
}

func versionString() string {
	return fmt.Sprintf("lego-persist version %s %s/%s", version, runtime.GOOS, runtime.GOARCH)
}
