//go:build unix

package bed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// processGroup makes the child the leader of a new process group, so that
// stopping it also stops anything it spawned.
func processGroup() *syscall.SysProcAttr {
	attr := &syscall.SysProcAttr{Setpgid: true}
	setParentDeathSignal(attr)

	return attr
}

// signalGroup sends sig to the whole process group led by pid.
func signalGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil // already gone
	}

	return err
}

func terminateGroup(pid int) error { return signalGroup(pid, syscall.SIGTERM) }

func killGroup(pid int) error { return signalGroup(pid, syscall.SIGKILL) }

// groupAlive reports whether any process of the group led by pid still
// exists (signal 0 checks without sending anything).
func groupAlive(pid int) bool {
	return syscall.Kill(-pid, 0) == nil
}

// lockFile takes an exclusive advisory lock on path (created if missing),
// polling so that ctx can cancel the wait. The returned function releases it.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}

	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				_ = f.Close()
			}, nil
		}

		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}

		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for the lock %s (another process is building Pebble): %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
