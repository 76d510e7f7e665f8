package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// File and folder modes. Everything under --path holds secrets or is tied to
// them, so nothing is readable by group or others.
const (
	FilePerm   os.FileMode = 0o600
	FolderPerm os.FileMode = 0o700
)

// WriteFileAtomic writes data to path so that readers see either the old
// content or the new one, never a partial file: the data goes to a temporary
// file in the same folder, is flushed to disk (fsync), gets perm, and is then
// renamed over path; the folder is synced afterwards so the rename survives
// a crash. On any error the temporary file is removed and path is untouched.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (err error) {
	dir := filepath.Dir(path)

	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	tmpName := tmp.Name()

	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmpName)
		}
	}()

	if err = tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}

	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	if err = os.Rename(tmpName, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}

	syncDir(dir)

	return nil
}

// syncDir makes a rename in dir durable. Failing to sync a folder (some
// platforms and file systems refuse it) loses no data already renamed, so it
// is not an error.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}

	_ = d.Sync()
	_ = d.Close()
}

// ensureDir creates dir (and its parents) with FolderPerm when missing.
// An existing folder keeps its mode.
func ensureDir(dir string) error {
	info, err := os.Stat(dir)

	switch {
	case err == nil:
		if !info.IsDir() {
			return fmt.Errorf("%s exists and is not a folder", dir)
		}

		return nil
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, FolderPerm); err != nil {
			return fmt.Errorf("create folder: %w", err)
		}

		return nil
	default:
		return fmt.Errorf("check folder: %w", err)
	}
}
