package main

import (
	"fmt"
)

// Exit codes (PRODUCT.md §2).
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// exitError carries an exit code; a nil err means the failure was already
// reported (per-certificate lines and a summary) and needs no more words.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}

	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a usage error (exit 2). The message names the flag.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// errReported is a failure whose details were already printed (exit 1).
var errReported = &exitError{code: exitFailed}
