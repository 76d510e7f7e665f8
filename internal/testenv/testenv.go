// Package testenv holds the one rule for tests that depend on the machine:
// on a developer's machine a missing tool or address skips the test, in CI
// (the CI environment variable set, as .ci/run does) it fails it, so that a
// green CI run never hides a test that did not run.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// InCI reports whether the tests run in CI ($CI is set and not "false").
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// SkipOrFail skips tb with the reason, or fails it in CI.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()

	reason := fmt.Sprintf(format, args...)
	if InCI() {
		tb.Fatalf("%s (CI is set: the machine must provide this)", reason)
	}

	tb.Skipf("%s", reason)
}
