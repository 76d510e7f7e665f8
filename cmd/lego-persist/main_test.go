package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()

	var out, errOut bytes.Buffer

	code = run(context.Background(), append([]string{"lego-persist"}, args...), &out, &errOut)

	return code, out.String(), errOut.String()
}

func TestUsageErrorsExitTwoAndNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	p := "--path=" + dir

	tests := []struct {
		name     string
		args     []string
		wantFlag string
	}{
		{"unknown global flag", []string{p, "--bogus", "list"}, "bogus"},
		{"unknown command flag", []string{p, "renew", "--nope"}, "nope"},
		{"bad int value", []string{p, "renew", "--days", "abc"}, "days"},
		{"unsupported key type", []string{p, "--key-type", "rsa1024", "-d", "example.com", "run"}, "--key-type"},
		{"run without domains", []string{p, "run"}, "--domains"},
		{"run with domains and csr", []string{p, "-d", "example.com", "--csr", "x.csr", "run"}, "--csr"},
		{"persist-until not RFC 3339", []string{p, "--dns-persist.persist-until", "tomorrow", "-d", "example.com", "record"}, "--dns-persist.persist-until"},
		{"persist-until in the past", []string{p, "--dns-persist.persist-until", "2001-01-01T00:00:00Z", "-d", "example.com", "record"}, "--dns-persist.persist-until"},
		{"issuer not normalized", []string{p, "--dns-persist.issuer-domain-name", "CA.Example.", "-d", "example.com", "record"}, "--dns-persist.issuer-domain-name"},
		{"bad resolver", []string{p, "--dns-persist.resolvers", "a b", "check"}, "--dns-persist.resolvers"},
		{"zero dns timeout", []string{p, "--dns-persist.timeout", "0", "check"}, "--dns-persist.timeout"},
		{"zero propagation interval", []string{p, "--dns-persist.propagation.interval", "0s", "check"}, "--dns-persist.propagation.interval"},
		{"lego exclusive dns flags", []string{p, "--dns.propagation-disable-ans", "--dns.propagation-wait", "10s", "-d", "example.com", "run"}, "--dns.propagation-wait"},
		{"negative lock timeout", []string{p, "--lock-timeout", "-1s", "-d", "example.com", "run"}, "--lock-timeout"},
		{"record without domains", []string{p, "record"}, "--domains"},
		{"record with zero ttl", []string{p, "-d", "example.com", "record", "--ttl", "0"}, "--ttl"},
		{"remove without provider", []string{p, "-d", "example.com", "remove"}, "--dns-persist"},
		{"renew parallel zero", []string{p, "renew", "--parallel", "0"}, "--parallel"},
		{"force-cert-domains without domains", []string{p, "renew", "--force-cert-domains"}, "--force-cert-domains"},
		{"missing domains file", []string{p, "--domains-file", filepath.Join(dir, "nope"), "record"}, "--domains-file"},
		{"negative warn days", []string{p, "check", "--warn-days", "-1"}, "--warn-days"},
		{"unknown command", []string{p, "frobnicate"}, "frobnicate"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, stdout, stderr)
			}

			if !strings.Contains(stderr, tt.wantFlag) {
				t.Errorf("stderr does not name %q:\n%s", tt.wantFlag, stderr)
			}
		})
	}

	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("usage errors wrote to --path: %v", entries)
	}
}

func TestVersionPrintsStampedVersion(t *testing.T) {
	code, stdout, _ := runCLI(t, "--version")
	if code != exitOK || !strings.HasPrefix(stdout, "lego-persist version "+version+" ") {
		t.Errorf("--version: exit %d, stdout %q", code, stdout)
	}
}

func TestGlobalFlagsKeepLegoDefaultsAndEnv(t *testing.T) {
	t.Setenv("LEGO_PATH", "/from/env")
	t.Setenv("LEGO_EMAIL", "env@example.com")

	flags := map[string]string{}

	for _, f := range globalFlags("/default") {
		flags[f.Names()[0]] = strings.Join(f.Names(), ",")
	}

	for _, name := range []string{
		"domains", "server", "accept-tos", "email", "path", "key-type", "eab", "kid", "hmac", "csr",
		"filename", "pem", "user-agent", "http-timeout", "cert.timeout", "dns", "dns.resolvers", "http",
		"http.port", "http.webroot", "tls", "tls.port",
		"dns-persist", "dns-persist.issuer-domain-name", "dns-persist.persist-until", "dns-persist.wildcard",
		"dns-persist.resolvers", "dns-persist.propagation.disable-ans", "dns-persist.propagation.wait",
		"dns-persist.timeout",
	} {
		if _, ok := flags[name]; !ok {
			t.Errorf("global flag --%s is missing", name)
		}
	}

	for name, want := range map[string]string{"domains": "domains,d", "server": "server,s", "accept-tos": "accept-tos,a", "email": "email,m", "key-type": "key-type,k"} {
		if flags[name] != want {
			t.Errorf("--%s names = %s, want %s", name, flags[name], want)
		}
	}
}

func TestReadDomainsMergesFlagAndFileWithoutDuplicates(t *testing.T) {
	file := filepath.Join(t.TempDir(), "domains")
	if err := os.WriteFile(file, []byte("b.example # comment\n\n# only a comment\na.example c.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	var got []string

	app := newApp(&bytes.Buffer{}, &bytes.Buffer{})
	app.Commands = nil
	app.Action = func(c *cli.Context) error {
		var err error
		got, err = readDomains(c)

		return err
	}

	if err := app.Run([]string{"x", "-d", "a.example", "--domains-file", file}); err != nil {
		t.Fatal(err)
	}

	want := []string{"a.example", "b.example", "c.example"}
	if !slices.Equal(got, want) {
		t.Errorf("domains = %v, want %v", got, want)
	}
}

func TestHostPortAddsPort53(t *testing.T) {
	tests := map[string]string{
		"127.0.0.1:5353": "127.0.0.1:5353",
		"127.0.0.1":      "127.0.0.1:53",
		"::1":            "[::1]:53",
		"[::1]:5353":     "[::1]:5353",
		"ns.example":     "ns.example:53",
	}

	for in, want := range tests {
		got, err := hostPort(in)
		if err != nil || got != want {
			t.Errorf("hostPort(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestNeedRenewalFollowsLegoRules(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	cert := func(lifetime, left time.Duration) *x509.Certificate {
		return &x509.Certificate{NotBefore: now.Add(left - lifetime), NotAfter: now.Add(left)}
	}

	day := 24 * time.Hour

	tests := []struct {
		name    string
		cert    *x509.Certificate
		days    int
		dynamic bool
		want    bool
	}{
		{"more days left than --days", cert(90*day, 40*day), 30, false, false},
		{"exactly --days left", cert(90*day, 30*day+time.Hour), 30, false, true},
		{"negative --days always renews", cert(90*day, 80*day), -1, false, true},
		{"huge --days renews", cert(90*day, 80*day), 9999, false, true},
		{"dynamic: more than a third left", cert(90*day, 40*day), 30, true, false},
		{"dynamic: less than a third left", cert(90*day, 29*day), 30, true, true},
		{"dynamic short-lived: more than half left", cert(6*day, 4*day), 30, true, false},
		{"dynamic short-lived: less than half left", cert(6*day, 2*day), 30, true, true},
	}

	for _, tt := range tests {
		if got := needRenewal(tt.cert, tt.days, tt.dynamic, now); got != tt.want {
			t.Errorf("%s: needRenewal = %v, want %v", tt.name, got, tt.want)
		}
	}
}
