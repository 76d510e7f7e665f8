package storage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// crashAfterRenames leaves dir as a process killed during phase 3 of
// writeSet would: every temporary file written and committed in a journal,
// only the first `renamed` of them moved over their final names.
func crashAfterRenames(t *testing.T, dir, base string, files map[string][]byte, renamed int) {
	t.Helper()

	var j journal

	for _, name := range sortedKeys(files) {
		tmp, err := writeTemp(filepath.Join(dir, name), files[name], FilePerm)
		if err != nil {
			t.Fatal(err)
		}

		j.Files = append(j.Files, journalEntry{Tmp: filepath.Base(tmp), Final: name})
	}

	raw, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}

	if err := WriteFileAtomic(journalPath(dir, base), raw, FilePerm); err != nil {
		t.Fatal(err)
	}

	for _, e := range j.Files[:renamed] {
		if err := os.Rename(filepath.Join(dir, e.Tmp), filepath.Join(dir, e.Final)); err != nil {
			t.Fatal(err)
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}

	sort.Strings(out)

	return out
}

func TestRecoverCompletesASetKilledMidRename(t *testing.T) {
	for renamed := 0; renamed <= 4; renamed++ {
		cs := New(t.TempDir()).Certificates(CertOptions{})
		old := testResource(t, "example.com", []string{"example.com"}, time.Now().Add(24*time.Hour))

		if err := cs.Save(old); err != nil {
			t.Fatal(err)
		}

		// The new set, as Save would write it.
		next := testResource(t, "example.com", []string{"example.com"}, time.Now().Add(90*24*time.Hour))
		scratch := New(t.TempDir()).Certificates(CertOptions{})

		if err := scratch.Save(next); err != nil {
			t.Fatal(err)
		}

		newFiles := map[string][]byte{}
		for path, data := range readTree(t, scratch.Dir()) {
			newFiles[path] = data
		}

		crashAfterRenames(t, cs.Dir(), "example.com", newFiles, renamed)

		rec, err := cs.Recover()
		if err != nil {
			t.Fatalf("renamed %d: Recover: %v", renamed, err)
		}

		if !reflect.DeepEqual(rec.Completed, []string{"example.com"}) || len(rec.Removed) != 0 {
			t.Errorf("renamed %d: Recover() = %+v, want example.com completed, nothing removed", renamed, rec)
		}

		if got := readTree(t, cs.Dir()); !reflect.DeepEqual(got, newFiles) {
			t.Errorf("renamed %d: after Recover the folder holds %v, want exactly the new set %v", renamed, keys(got), keys(newFiles))
		}
	}
}

func TestRecoverRemovesUncommittedTempsAndKeepsTheOldSet(t *testing.T) {
	cs := New(t.TempDir()).Certificates(CertOptions{})

	if err := cs.Save(testResource(t, "example.com", []string{"example.com"}, time.Now())); err != nil {
		t.Fatal(err)
	}

	before := readTree(t, cs.Dir())

	// Killed in phase 1: temporary files, no journal.
	for _, name := range []string{"example.com.crt", "example.com.key"} {
		if _, err := writeTemp(filepath.Join(cs.Dir(), name), []byte("half"), FilePerm); err != nil {
			t.Fatal(err)
		}
	}

	rec, err := cs.Recover()
	if err != nil {
		t.Fatal(err)
	}

	if len(rec.Removed) != 2 || len(rec.Completed) != 0 {
		t.Errorf("Recover() = %+v, want 2 temporary files removed", rec)
	}

	if got := readTree(t, cs.Dir()); !reflect.DeepEqual(got, before) {
		t.Errorf("folder after Recover: %v, want the old set %v", keys(got), keys(before))
	}
}

func TestRecoverRefusesAJournalNamingOtherFolders(t *testing.T) {
	cs := New(t.TempDir()).Certificates(CertOptions{})
	if err := os.MkdirAll(cs.Dir(), FolderPerm); err != nil {
		t.Fatal(err)
	}

	raw := `{"files":[{"tmp":".x.tmp-1","final":"../../evil"}]}`
	if err := os.WriteFile(journalPath(cs.Dir(), "x"), []byte(raw), FilePerm); err != nil {
		t.Fatal(err)
	}

	if _, err := cs.Recover(); err == nil || !strings.Contains(err.Error(), "not a file of this folder") {
		t.Errorf("Recover with a journal naming ../../evil: err = %v", err)
	}
}

func TestSaveLeavesNoJournalOrTemporaryFile(t *testing.T) {
	cs := New(t.TempDir()).Certificates(CertOptions{PEM: true})

	for range 2 {
		if err := cs.Save(testResource(t, "*.example.com", []string{"*.example.com"}, time.Now())); err != nil {
			t.Fatal(err)
		}
	}

	want := []string{"_.example.com.crt", "_.example.com.issuer.crt", "_.example.com.json", "_.example.com.key", "_.example.com.pem"}

	entries, err := os.ReadDir(cs.Dir())
	if err != nil {
		t.Fatal(err)
	}

	if got := names(entries); !reflect.DeepEqual(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
}

func TestScanReportsADamagedCertificateAndListsTheOthers(t *testing.T) {
	cs := New(t.TempDir()).Certificates(CertOptions{})

	for _, d := range []string{"good.example", "bad.example"} {
		if err := cs.Save(testResource(t, d, []string{d}, time.Now())); err != nil {
			t.Fatal(err)
		}
	}

	bad := filepath.Join(cs.Dir(), "bad.example.crt")
	if err := os.WriteFile(bad, []byte("not PEM"), FilePerm); err != nil {
		t.Fatal(err)
	}

	got, err := cs.Scan()
	if err != nil {
		t.Fatal(err)
	}

	if len(got) != 2 || got[0].Domain != "bad.example" || got[1].Domain != "good.example" {
		t.Fatalf("Scan() = %+v, want bad.example and good.example", got)
	}

	if got[0].Err == nil || !strings.Contains(got[0].Err.Error(), bad) || got[1].Err != nil {
		t.Errorf("Scan errors: bad %v, good %v; want only bad's, naming %s", got[0].Err, got[1].Err, bad)
	}

	if _, err := cs.List(); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("List() error = %v, want one naming %s", err, bad)
	}
}
