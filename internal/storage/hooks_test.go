package storage

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPendingHooksAreKeptUntilDoneAndListedByDomain(t *testing.T) {
	root := t.TempDir()
	j := New(root).PendingHooks()

	if got, err := j.Pending(); err != nil || len(got) != 0 {
		t.Fatalf("fresh journal: Pending = %v, %v; want none", got, err)
	}

	hooks := []PendingHook{
		{Domain: "b.example", Command: "/usr/local/bin/deploy b", Timeout: time.Minute, Env: []string{"LEGO_CERT_DOMAIN=b.example"}},
		{Domain: "*.a.example", Command: "/usr/local/bin/deploy a", Timeout: 2 * time.Minute},
	}

	for _, h := range hooks {
		if err := j.Add(h); err != nil {
			t.Fatal(err)
		}
	}

	// A newer entry of the same certificate replaces the older one.
	hooks[0].Env = []string{"LEGO_CERT_DOMAIN=b.example", "LEGO_CERT_PFX_PATH=/x.pfx"}
	if err := j.Add(hooks[0]); err != nil {
		t.Fatal(err)
	}

	got, err := j.Pending()
	if err != nil {
		t.Fatal(err)
	}

	if len(got) != 2 || got[0].Domain != "*.a.example" || got[1].Domain != "b.example" || !slices.Equal(got[1].Env, hooks[0].Env) ||
		got[0].Timeout != 2*time.Minute {
		t.Fatalf("Pending = %+v, want both, sorted, the newer b.example entry", got)
	}

	if _, err := os.Stat(filepath.Join(root, pendingHooksFolder, "_.a.example.json")); err != nil {
		t.Errorf("wildcard entry not stored under lego's file name: %v", err)
	}

	if info, err := os.Stat(filepath.Join(root, pendingHooksFolder)); err != nil || info.Mode().Perm() != FolderPerm {
		t.Errorf("journal folder mode %v (%v), want %v", info.Mode().Perm(), err, FolderPerm)
	}

	for _, d := range []string{"*.a.example", "b.example", "never-added.example"} {
		if err := j.Done(d); err != nil {
			t.Errorf("Done(%s) = %v", d, err)
		}
	}

	if got, err := j.Pending(); err != nil || len(got) != 0 {
		t.Errorf("after Done: Pending = %v, %v; want none", got, err)
	}
}

func TestADamagedPendingHookIsReportedAndTheOthersStillRun(t *testing.T) {
	root := t.TempDir()
	j := New(root).PendingHooks()

	if err := j.Add(PendingHook{Domain: "ok.example", Command: "deploy"}); err != nil {
		t.Fatal(err)
	}

	bad := filepath.Join(root, pendingHooksFolder, "bad.example.json")
	if err := os.WriteFile(bad, []byte("{not json"), FilePerm); err != nil {
		t.Fatal(err)
	}

	got, err := j.Pending()
	if err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("Pending error = %v, want one naming %s", err, bad)
	}

	if len(got) != 1 || got[0].Domain != "ok.example" {
		t.Errorf("Pending = %+v, want the readable entry", got)
	}
}
