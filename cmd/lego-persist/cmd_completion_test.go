package main

import (
	"github.com/lego-persist/lego-persist/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestManPageIsGeneratedFromTheCommands(t *testing.T) {
	code, out, stderr := runCLI(t, "man")
	if code != exitOK {
		t.Fatalf("man: exit %d, stderr %q", code, stderr)
	}

	for _, want := range []string{".TH lego-persist 1", "renew", "record", "--dns-persist", "--dns-persist.resolvers", "(default: ./.lego)"} {
		if !strings.Contains(out, want) {
			t.Errorf("man page lacks %q", want)
		}
	}

	if cwd, err := os.Getwd(); err == nil && strings.Contains(out, cwd) {
		t.Errorf("man page contains the build directory %s", cwd)
	}
}

func TestFishCompletionNamesCommandsAndFlags(t *testing.T) {
	code, out, stderr := runCLI(t, "completion", "fish")
	if code != exitOK {
		t.Fatalf("completion fish: exit %d, stderr %q", code, stderr)
	}

	for _, want := range []string{"complete -c lego-persist", "-a 'renew'", "-l dns-persist ", "-l dns-persist.wildcard"} {
		if !strings.Contains(out, want) {
			t.Errorf("fish completion lacks %q", want)
		}
	}
}

func TestCompletionNeedsAKnownShell(t *testing.T) {
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if code, _, _ := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestBashCompletionCompletesCommandsAndFlags sources the generated script
// in bash and asks it to complete, as bash does on <Tab>.
func TestBashCompletionCompletesCommandsAndFlags(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("bash is needed in CI: %v", err)
		}

		testenv.SkipOrFail(t, "no bash")
	}

	code, script, stderr := runCLI(t, "completion", "bash")
	if code != exitOK {
		t.Fatalf("completion bash: exit %d, stderr %q", code, stderr)
	}

	file := filepath.Join(t.TempDir(), "lego-persist.bash")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		words []string // the last one is being completed
		want  string
	}{
		{"commands", []string{"lego-persist", "re"}, "renew record remove revoke"},
		{"command after global flags", []string{"lego-persist", "--email", "me@example.com", "ch"}, "check"},
		{"global flags", []string{"lego-persist", "--dns-persist.w"}, "--dns-persist.wildcard"},
		{"flags of the command", []string{"lego-persist", "-d", "example.com", "renew", "--no-r"}, "--no-random-sleep"},
		{"no command flags before the command", []string{"lego-persist", "--no-r"}, ""},
		{"value of a flag: files", []string{"lego-persist", "--path", ""}, ""},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			quoted := make([]string, len(tt.words))
			for i, w := range tt.words {
				quoted[i] = shellQuote(w)
			}

			prog := `source "$1"; COMP_WORDS=(` + strings.Join(quoted, " ") + `); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));` +
				` _lego_persist; echo "${COMPREPLY[*]}"`

			out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog, "bash", file).CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v: %s", err, out)
			}

			if got := strings.TrimSpace(string(out)); got != tt.want {
				t.Errorf("completing %q: got %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}
