package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/internal/storage"
)

func TestTyposGetSuggestionsAndMisplacedGlobalFlagsAHint(t *testing.T) {
	p := "--path=" + t.TempDir()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"typo'd command", []string{p, "renw"}, `Did you mean "renew"?`},
		{"typo'd command flag", []string{p, "renew", "--dayz", "3"}, "did you mean --days?"},
		{"typo'd global flag", []string{p, "--dns-persis", "rfc2136", "list"}, "did you mean --dns-persist?"},
		{"global flag after the command", []string{p, "renew", "--dns-persist", "rfc2136"}, "--dns-persist is a global flag: put it before the command"},
		{"global short flag after the command", []string{p, "run", "-d", "example.com"}, ": -d is a global flag: put it before the command (lego-persist -d ... run)"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d and %q in:\n%s", code, exitUsage, tt.want, stderr)
			}
		})
	}
}

func TestVersionNamesCommitAndLegoVersion(t *testing.T) {
	_, stdout, _ := runCLI(t, "--version")

	// go test binaries carry the module graph (lego's version) but no VCS
	// stamp; both fields are always present.
	re := regexp.MustCompile(`^lego-persist version \S+ \S+/\S+ \(commit \S+, lego (v4\.\d+\.\d+|unknown)\)\n$`)
	if !re.MatchString(stdout) {
		t.Errorf("--version = %q, want %s", stdout, re)
	}
}

func TestLegoV4FlagsAreUsageErrorsWhenMisused(t *testing.T) {
	p := "--path=" + t.TempDir()

	tests := []struct {
		name, want string
		args       []string
	}{
		{"unknown --pfx.format", "--pfx.format", []string{p, "--pfx.format", "AES", "list", "--no-check"}},
		{"revoke without domains", "--domains", []string{p, "revoke"}},
		{"revoke reason 7", "--reason", []string{p, "-d", "example.com", "revoke", "--reason", "7"}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, want %d naming %s:\n%s", code, exitUsage, tt.want, stderr)
			}
		})
	}

	t.Run("LEGO_PFX_FORMAT", func(t *testing.T) {
		t.Setenv(envPFXFormat, "des3")

		if code, _, stderr := runCLI(t, p, "list", "--no-check"); code != exitUsage || !strings.Contains(stderr, "des3") {
			t.Errorf("exit %d, want a usage error naming the value:\n%s", code, stderr)
		}
	})
}

func TestArchiveMovesTheCertificateFilesAsLegoDoes(t *testing.T) {
	root := t.TempDir()
	cs := storage.New(root).Certificates(storage.CertOptions{})
	dir := cs.Dir()

	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}

	files := []string{
		"_.example.com.crt", "_.example.com.issuer.crt", "_.example.com.key", "_.example.com.json", "_.example.com.pfx",
		"_.example.com.extra.crt", // another certificate's files that merely start with the base
		"example.com.crt",
	}

	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	now := time.Unix(1767225600, 0)

	moved, err := archive(cs, filepath.Join(root, "archives"), "*.example.com", now)
	if err != nil {
		t.Fatal(err)
	}

	var got []string
	for _, m := range moved {
		got = append(got, filepath.Base(m))
	}

	slices.Sort(got)

	want := []string{
		"1767225600._.example.com.crt", "1767225600._.example.com.issuer.crt", "1767225600._.example.com.json",
		"1767225600._.example.com.key", "1767225600._.example.com.pfx",
	}
	if !slices.Equal(got, want) {
		t.Errorf("archived %q, want %q", got, want)
	}

	for _, stay := range []string{"_.example.com.extra.crt", "example.com.crt"} {
		if _, err := os.Stat(filepath.Join(dir, stay)); err != nil {
			t.Errorf("%s was moved: %v", stay, err)
		}
	}
}

func TestRenewSummaryRepeatsTheFailuresSorted(t *testing.T) {
	var out bytes.Buffer

	b := &renewBatch{out: &lineWriter{w: &out}, tally: &renewTally{renewed: 1}}
	b.tally.fail("zeta.example", "failed: boom")
	b.tally.fail("alpha.example", "failed: bang")

	if err := b.summary(1500 * time.Millisecond); !errors.Is(err, errReported) {
		t.Errorf("summary = %v, want errReported", err)
	}

	want := "failed (2):\n  alpha.example: failed: bang\n  zeta.example: failed: boom\nrenewed 1, not due 0, failed 2 in 1.5s\n"
	if out.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestDaysLeftCountsWholeDays(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

	for left, want := range map[time.Duration]int{
		30*24*time.Hour + time.Hour: 30,
		23 * time.Hour:              0,
		-25 * time.Hour:             -1,
	} {
		if got := daysLeft(now.Add(left), now); got != want {
			t.Errorf("daysLeft(%s) = %d, want %d", left, got, want)
		}
	}
}
