package main

import (
	"strings"
	"testing"
)

func TestRollingPersistUntilFlagsAreCheckedTogether(t *testing.T) {
	p := "--path=" + t.TempDir()

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"refresh without persist-for", []string{p, "--dns-persist.refresh-before", "24h", "-d", "example.com", "record"}, "needs --dns-persist.persist-for"},
		{"refresh not shorter", []string{p, "--dns-persist.persist-for", "24h", "--dns-persist.refresh-before", "24h", "-d", "example.com", "record"}, "must be shorter"},
		{"rolling and fixed", []string{p, "--dns-persist.persist-for", "24h", "--dns-persist.persist-until", "2099-01-01T00:00:00Z", "-d", "example.com", "record"}, "exclude each other"},
		{"negative persist-for", []string{p, "--dns-persist.persist-for", "-1h", "-d", "example.com", "record"}, "must be positive"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q: want exit 2 saying %q", code, stderr, tt.want)
			}
		})
	}
}
