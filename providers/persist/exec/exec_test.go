package exec

import (
	"context"
	"errors"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	testFQDN  = "_validation-persist.example.com."
	testValue = "ca.example; accounturi=https://ca.example/acct/1; policy=wildcard"
)

// script writes an executable shell script with body into a temp folder
// and returns its path.
func script(t *testing.T, body string) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "hook.sh")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}

	return path
}

// recordingScript returns a script that appends its argument count and each
// argument in brackets to the returned log file.
func recordingScript(t *testing.T) (program, log string) {
	t.Helper()

	log = filepath.Join(t.TempDir(), "argv.log")
	program = script(t, `{ printf 'argc=%s\n' "$#"; for a; do printf '[%s]\n' "$a"; done; } >> '`+log+`'`)

	return program, log
}

func newProvider(t *testing.T, program string) *DNSProvider {
	t.Helper()

	p, err := NewDNSProviderConfig(&Config{Program: program})
	if err != nil {
		t.Fatal(err)
	}

	return p
}

func TestProgramReceivesActionNameAndValueAsThreeArguments(t *testing.T) {
	tests := []struct {
		action string
		call   func(*DNSProvider, context.Context, string, string) error
	}{
		{"present", (*DNSProvider).Publish},
		{"cleanup", (*DNSProvider).Unpublish},
	}

	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			program, log := recordingScript(t)

			if err := tt.call(newProvider(t, program), t.Context(), testFQDN, testValue); err != nil {
				t.Fatalf("%s: %v", tt.action, err)
			}

			got, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}

			want := "argc=3\n[" + tt.action + "]\n[" + testFQDN + "]\n[" + testValue + "]\n"
			if string(got) != want {
				t.Errorf("program saw\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestFailingProgramErrorNamesExitStatusAndOutput(t *testing.T) {
	program := script(t, "echo 'updating zone'; echo 'zone is locked' >&2; exit 3")

	err := newProvider(t, program).Publish(t.Context(), testFQDN, testValue)
	if err == nil {
		t.Fatal("Publish succeeded although the program exited with status 3")
	}

	msg := err.Error()
	for _, want := range []string{"exec: present " + testFQDN, program, "exited with status 3", "updating zone", "zone is locked"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}

	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}

	var exitErr *osexec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("error does not wrap an ExitError with code 3: %#v", err)
	}
}

func TestFailingProgramOutputIsBoundedInError(t *testing.T) {
	program := script(t, "i=0; while [ $i -lt 5000 ]; do echo 'noise noise noise noise'; i=$((i+1)); done; exit 1")

	err := newProvider(t, program).Publish(t.Context(), testFQDN, testValue)
	if err == nil {
		t.Fatal("Publish succeeded although the program exited with status 1")
	}

	if n := len(err.Error()); n > maxErrorOutput+512 {
		t.Errorf("error is %d bytes long, want the output cut to about %d", n, maxErrorOutput)
	}

	if !strings.HasSuffix(err.Error(), "…") {
		t.Errorf("truncated output is not marked: %q", err.Error()[len(err.Error())-40:])
	}
}

func TestSucceedingProgramOutputIsNotAnError(t *testing.T) {
	program := script(t, "echo 'record added'; echo 'warning: slow' >&2")

	if err := newProvider(t, program).Publish(t.Context(), testFQDN, testValue); err != nil {
		t.Fatalf("Publish: %v", err)
	}
}

func TestCancelledContextStopsProgram(t *testing.T) {
	program := script(t, "exec sleep 60")

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	err := newProvider(t, program).Publish(ctx, testFQDN, testValue)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Publish with an expiring context = %v, want context.DeadlineExceeded", err)
	}

	if !strings.Contains(err.Error(), testFQDN) {
		t.Errorf("error %q does not name the record", err)
	}
}

func TestAlreadyCancelledContextRunsNothing(t *testing.T) {
	program, log := recordingScript(t)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if err := newProvider(t, program).Publish(ctx, testFQDN, testValue); !errors.Is(err, context.Canceled) {
		t.Fatalf("Publish = %v, want context.Canceled", err)
	}

	if _, err := os.Stat(log); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the program ran although the context was cancelled (stat: %v)", err)
	}
}

func TestNewDNSProviderReadsExecPath(t *testing.T) {
	program, log := recordingScript(t)

	tests := []struct {
		name string
		env  map[string]string
	}{
		{"EXEC_PATH", map[string]string{EnvPath: program}},
		{"EXEC_PATH_FILE", map[string]string{EnvPath + "_FILE": writeFile(t, program+"\n")}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvPath, "")
			t.Setenv(EnvMode, "")

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			p, err := NewDNSProvider()
			if err != nil {
				t.Fatalf("NewDNSProvider: %v", err)
			}

			if err := p.Publish(t.Context(), testFQDN, testValue); err != nil {
				t.Fatalf("Publish: %v", err)
			}

			if _, err := os.Stat(log); err != nil {
				t.Errorf("the program from %s did not run: %v", tt.name, err)
			}
		})
	}
}

func TestNewDNSProviderRejectsBadConfiguration(t *testing.T) {
	program := script(t, "exit 0")

	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing path", map[string]string{EnvPath: ""}, EnvPath},
		{"raw mode", map[string]string{EnvPath: program, EnvMode: "RAW"}, "EXEC_MODE=RAW is not supported"},
		{"unknown mode", map[string]string{EnvPath: program, EnvMode: "FANCY"}, `unknown EXEC_MODE "FANCY"`},
		{"no such program", map[string]string{EnvPath: filepath.Join(t.TempDir(), "missing.sh")}, "missing.sh"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvPath, "")
			t.Setenv(EnvPath+"_FILE", "")
			t.Setenv(EnvMode, "")

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewDNSProvider = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestStringNamesProgram(t *testing.T) {
	program := script(t, "exit 0")

	if got := newProvider(t, program).String(); got != "exec("+program+")" {
		t.Errorf("String() = %q", got)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()

	path := filepath.Join(t.TempDir(), "value")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	return path
}
