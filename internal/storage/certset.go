package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A certificate is a set of files (.crt, .key, .issuer.crt, .json, .pem)
// that only make sense together: a new .crt beside the old .key is a broken
// server. POSIX offers no rename of several files at once, so a set is
// written in two phases with a journal, under lego's own file names:
//
//  1. every file of the set is written to a temporary file in the same
//     folder (".<name>.tmp-<random>") and synced; an interruption here
//     leaves the old set untouched, and the temporary files are removed by
//     the next Recover;
//  2. a journal ".<base>.pending" listing temporary -> final names is
//     written atomically and synced: from this instant the new set is
//     committed;
//  3. the temporary files are renamed over the final names, then the
//     journal is removed.
//
// A process killed during step 3 (SIGKILL, power loss) leaves a journal;
// Recover (run by every writer under the store's lock before it touches the
// folder) finishes the renames, so the set on disk becomes the complete new
// one. Readers that do not take the lock may see a mixed set only during
// the few renames of step 3, or until the next writer runs after a crash.

// journalSuffix ends the name of a set's journal file.
const journalSuffix = ".pending"

// tmpMarker is part of every temporary file name of this package.
const tmpMarker = ".tmp-"

// journal is the content of a ".<base>.pending" file: file names relative
// to the certificates folder.
type journal struct {
	Files []journalEntry `json:"files"`
}

type journalEntry struct {
	Tmp   string `json:"tmp"`
	Final string `json:"final"`
}

func journalPath(dir, base string) string {
	return filepath.Join(dir, "."+base+journalSuffix)
}

// writeSet writes files (final paths in dir) as one set: afterwards either
// all of them have the new content, or (on error before the commit) none
// changed and no temporary file is left. base names the set's journal.
func writeSet(dir, base string, files map[string][]byte) (err error) {
	if err := recoverSet(journalPath(dir, base)); err != nil {
		return err
	}

	finals := make([]string, 0, len(files))
	for final := range files {
		finals = append(finals, final)
	}

	sort.Strings(finals)

	var j journal

	defer func() {
		if err == nil {
			return
		}

		for _, e := range j.Files {
			_ = os.Remove(filepath.Join(dir, e.Tmp))
		}
	}()

	// Phase 1: temporary files, synced.
	for _, final := range finals {
		tmp, err := writeTemp(final, files[final], FilePerm)
		if tmp != "" {
			j.Files = append(j.Files, journalEntry{Tmp: filepath.Base(tmp), Final: filepath.Base(final)})
		}

		if err != nil {
			return err
		}
	}

	syncDir(dir)

	// Phase 2: the commit.
	raw, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("encode journal: %w", err)
	}

	jp := journalPath(dir, base)
	if err := WriteFileAtomic(jp, raw, FilePerm); err != nil {
		return err
	}

	// Phase 3: committed; a failure from here on is finished by Recover,
	// so the temporary files must stay.
	if rerr := applyJournal(dir, j); rerr != nil {
		j.Files = nil // keep them for Recover

		return fmt.Errorf("%w (the journal %s completes it on the next run)", rerr, jp)
	}

	if err := os.Remove(jp); err != nil {
		return fmt.Errorf("remove journal: %w", err)
	}

	syncDir(dir)

	return nil
}

// writeTemp writes data to a synced temporary file beside path and returns
// its name (also on error, when the file was created).
func writeTemp(path string, data []byte, perm os.FileMode) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+tmpMarker+"*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}

	name := tmp.Name()

	err = tmp.Chmod(perm)
	if err == nil {
		_, err = tmp.Write(data)
	}

	if err == nil {
		err = tmp.Sync()
	}

	if cerr := tmp.Close(); err == nil {
		err = cerr
	}

	if err != nil {
		return name, fmt.Errorf("write %s: %w", path, err)
	}

	return name, nil
}

// applyJournal renames every temporary file of j that still exists over its
// final name. Entries already renamed are skipped, so it can run again.
func applyJournal(dir string, j journal) error {
	for _, e := range j.Files {
		if !plainName(e.Tmp) || !plainName(e.Final) || !strings.Contains(e.Tmp, tmpMarker) {
			return fmt.Errorf("journal names %q -> %q: not a file of this folder", e.Tmp, e.Final)
		}

		err := os.Rename(filepath.Join(dir, e.Tmp), filepath.Join(dir, e.Final))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, e.Final), err)
		}
	}

	syncDir(dir)

	return nil
}

func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && filepath.Base(name) == name && !strings.ContainsAny(name, `/\`)
}

// recoverSet completes the set of one journal, if there is one.
func recoverSet(jp string) error {
	raw, err := os.ReadFile(jp)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}

	if err != nil {
		return fmt.Errorf("read journal: %w", err)
	}

	var j journal
	if err := json.Unmarshal(raw, &j); err != nil {
		return fmt.Errorf("journal %s is damaged (%w): check the certificate files it names by hand, then delete it", jp, err)
	}

	if err := applyJournal(filepath.Dir(jp), j); err != nil {
		return fmt.Errorf("complete interrupted write (journal %s): %w", jp, err)
	}

	if err := os.Remove(jp); err != nil {
		return fmt.Errorf("remove journal: %w", err)
	}

	syncDir(filepath.Dir(jp))

	return nil
}

// Recovery is what Recover did.
type Recovery struct {
	// Completed are the sets (file base names, like "example.com") whose
	// interrupted write was finished: they now hold the new files.
	Completed []string
	// Removed are temporary files of writes interrupted before their
	// commit; the sets they belonged to kept their old files.
	Removed []string
}

// Recover finishes what an interrupted process left in the certificates
// folder: sets with a journal are completed (rolled forward), temporary
// files no journal names are removed. Call it while holding the store's
// Lock, before reading or writing certificates; without the lock it could
// remove the temporary files of a writer still at work.
func (c *CertStore) Recover() (Recovery, error) {
	var rec Recovery

	journals, err := filepath.Glob(filepath.Join(c.dir, ".*"+journalSuffix))
	if err != nil {
		return rec, fmt.Errorf("recover %s: %w", c.dir, err)
	}

	var errs []error

	for _, jp := range journals {
		if err := recoverSet(jp); err != nil {
			errs = append(errs, err)
			continue
		}

		rec.Completed = append(rec.Completed, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(jp), "."), journalSuffix))
	}

	// Temporary files still named by a journal that could not be applied
	// must stay: they are the committed new set.
	keep := map[string]bool{}

	for _, jp := range journals {
		raw, err := os.ReadFile(jp)
		if err != nil {
			continue
		}

		var j journal
		if json.Unmarshal(raw, &j) == nil {
			for _, e := range j.Files {
				keep[e.Tmp] = true
			}
		}
	}

	temps, err := filepath.Glob(filepath.Join(c.dir, ".*"+tmpMarker+"*"))
	if err != nil {
		return rec, fmt.Errorf("recover %s: %w", c.dir, err)
	}

	for _, tmp := range temps {
		if keep[filepath.Base(tmp)] {
			continue
		}

		if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove leftover %s: %w", tmp, err))
			continue
		}

		rec.Removed = append(rec.Removed, tmp)
	}

	return rec, errors.Join(errs...)
}
