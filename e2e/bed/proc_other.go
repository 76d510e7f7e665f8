//go:build !unix

package bed

import (
	"context"
	"errors"
	"syscall"
)

var errUnsupported = errors.New("the test bed needs a Unix system (process groups, BIND 9)")

func processGroup() *syscall.SysProcAttr { return nil }

func terminateGroup(int) error { return errUnsupported }

func killGroup(int) error { return errUnsupported }

func groupAlive(int) bool { return false }

func lockFile(context.Context, string) (func(), error) { return nil, errUnsupported }
