package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// pendingHooksFolder holds one file per certificate whose deployment hook
// has not yet succeeded. lego itself ignores the folder.
const pendingHooksFolder = "pending-hooks"

// PendingHook is a hook that must run for a saved certificate: recorded
// before the certificate is saved and cleared once the hook succeeded, so a
// hook that was interrupted (killed process, reboot) or failed runs again
// on the next run instead of leaving a new certificate undeployed.
type PendingHook struct {
	// Domain is the certificate's name in storage.
	Domain string `json:"domain"`
	// Command is the hook as given (--renew-hook or --run-hook).
	Command string `json:"command"`
	// Timeout is the hook's timeout.
	Timeout time.Duration `json:"timeout"`
	// Env is the hook's lego environment (KEY=value): paths and the
	// account email, no secrets.
	Env []string `json:"env"`
	// Since is when the hook became due.
	Since time.Time `json:"since"`
}

// HookJournal is the pending-hooks folder of a store. Use it while holding
// the store's Lock.
type HookJournal struct {
	dir string
}

// PendingHooks returns the store's pending-hooks journal.
func (s *Store) PendingHooks() *HookJournal {
	return &HookJournal{dir: filepath.Join(s.root, pendingHooksFolder)}
}

// Dir is the journal's folder.
func (j *HookJournal) Dir() string { return j.dir }

func (j *HookJournal) path(domain string) (string, error) {
	base, err := FileBase(domain)
	if err != nil {
		return "", err
	}

	return filepath.Join(j.dir, base+ResourceExt), nil
}

// Add records h as pending (replacing an earlier entry of the same
// domain). The entry is on disk when Add returns.
func (j *HookJournal) Add(h PendingHook) error {
	path, err := j.path(h.Domain)
	if err != nil {
		return err
	}

	if err := ensureDir(j.dir); err != nil {
		return fmt.Errorf("pending hooks: %w", err)
	}

	raw, err := json.MarshalIndent(h, "", "\t")
	if err != nil {
		return fmt.Errorf("%s: encode pending hook: %w", h.Domain, err)
	}

	if err := WriteFileAtomic(path, raw, FilePerm); err != nil {
		return fmt.Errorf("%s: record pending hook: %w", h.Domain, err)
	}

	return nil
}

// Done clears the pending hook of domain; clearing one that is not pending
// is not an error.
func (j *HookJournal) Done(domain string) error {
	path, err := j.path(domain)
	if err != nil {
		return err
	}

	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: clear pending hook: %w", domain, err)
	}

	syncDir(j.dir)

	return nil
}

// Pending returns every pending hook, sorted by Domain. An entry that
// cannot be read is an error naming its file (delete it once its
// certificate is deployed by hand); the others are still returned.
func (j *HookJournal) Pending() ([]PendingHook, error) {
	matches, err := filepath.Glob(filepath.Join(j.dir, "*"+ResourceExt))
	if err != nil {
		return nil, fmt.Errorf("pending hooks %s: %w", j.dir, err)
	}

	var (
		out  []PendingHook
		errs []error
	)

	for _, path := range matches {
		if strings.HasPrefix(filepath.Base(path), ".") {
			continue
		}

		raw, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("pending hook %s: %w", path, err))
			continue
		}

		var h PendingHook

		err = json.Unmarshal(raw, &h)
		if err == nil && h.Domain == "" {
			err = errors.New("no domain")
		}

		if err != nil {
			errs = append(errs, fmt.Errorf("pending hook %s is damaged (%w): deploy its certificate by hand, then delete the file", path, err))
			continue
		}

		out = append(out, h)
	}

	sort.Slice(out, func(a, b int) bool { return out[a].Domain < out[b].Domain })

	return out, errors.Join(errs...)
}
