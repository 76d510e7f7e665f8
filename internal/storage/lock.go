package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LockFileName is the lock file inside --path. lego itself ignores it.
const LockFileName = ".lego-persist.lock"

// lockPoll is how often a waiting process retries the lock.
const lockPoll = 100 * time.Millisecond

// ErrLockTimeout is returned by Lock when another process kept the lock for
// the whole wait.
var ErrLockTimeout = errors.New("storage is locked by another lego-persist process")

// FileLock is an exclusive, advisory lock on a storage folder, held by this
// process until Unlock (or until the process exits: the operating system
// drops the lock with the file descriptor, so a crash never leaves a stale
// lock behind).
type FileLock struct {
	f    *os.File
	path string
}

// Lock takes the exclusive lock of the storage at root (creating root and
// the lock file when missing), waiting at most timeout, or until ctx ends,
// while another process holds it. A timeout <= 0 means a single try.
// The error wraps ErrLockTimeout when the wait ran out.
func Lock(ctx context.Context, root string, timeout time.Duration) (*FileLock, error) {
	if err := ensureDir(root); err != nil {
		return nil, fmt.Errorf("lock %s: %w", root, err)
	}

	path := filepath.Join(root, LockFileName)

	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, FilePerm)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}

	deadline := time.Now().Add(timeout)

	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}

		if ok {
			return &FileLock{f: f, path: path}, nil
		}

		if !time.Now().Before(deadline) {
			_ = f.Close()
			return nil, fmt.Errorf("%s: %w (waited %s)", path, ErrLockTimeout, timeout)
		}

		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, ctx.Err())
		case <-time.After(lockPoll):
		}
	}
}

// Path is the lock file's path.
func (l *FileLock) Path() string { return l.path }

// Unlock releases the lock. Calling it again is a no-op.
func (l *FileLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}

	errU := unlock(l.f)
	errC := l.f.Close()
	l.f = nil

	if errU != nil {
		return fmt.Errorf("unlock %s: %w", l.path, errU)
	}

	if errC != nil {
		return fmt.Errorf("unlock %s: %w", l.path, errC)
	}

	return nil
}
