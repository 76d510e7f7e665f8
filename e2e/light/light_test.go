// Package light holds the end-to-end tests of the light build (`make
// build-light`, go build -tags light): built once, then run as a child
// process against Pebble and BIND 9 on loopback, as on a small device.
package light

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// binary is the light lego-persist built by TestMain, stripped like
// make build-light builds it.
var binary = &e2etest.Binary{Pkg: e2etest.PersistPkg, Tags: "light", LDFlags: "-s -w -X main.version=e2e-light"}

func TestMain(m *testing.M) {
	os.Exit(e2etest.Main(m, "lego-persist-light-", binary))
}

// TestLightBuildIssuesAndRenewsWithRFC2136: the first run publishes one
// record through RFC 2136 and stores the certificate; the renewal gets a
// new certificate without writing DNS.
func TestLightBuildIssuesAndRenewsWithRFC2136(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := e2etest.NewHarness(t, b, binary.Path, "light@example.com", 5*time.Minute)
	d := e2etest.Domain(b, "device")
	name := e2etest.RecordName(d)

	before := e2etest.SOASerial(t, b)

	res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run")
	if res.Code != 0 {
		t.Fatalf("run failed:\n%s", res)
	}

	if after := e2etest.SOASerial(t, b); after != before+1 {
		t.Errorf("run: SOA serial %d -> %d, want exactly one DNS write", before, after)
	}

	if got := e2etest.TXT(t, b, name); len(got) != 1 || !strings.Contains(got[0], "accounturi=") {
		t.Errorf("TXT at %s = %q, want one dns-persist-01 value", name, got)
	}

	first := e2etest.StoredCert(t, h.Path, d)

	before = e2etest.SOASerial(t, b)

	res = h.Run(t, "--dns-persist", "rfc2136", "-d", d, "renew", "--days", "9999", "--no-random-sleep")
	if res.Code != 0 {
		t.Fatalf("renew failed:\n%s", res)
	}

	if after := e2etest.SOASerial(t, b); after != before {
		t.Errorf("renew: SOA serial %d -> %d, want no DNS write", before, after)
	}

	if second := e2etest.StoredCert(t, h.Path, d); second.SerialNumber.Cmp(first.SerialNumber) == 0 {
		t.Error("renew kept the old certificate")
	}
}

// TestLightBuildNamesTheFullBuild: what only the full build has is refused
// with an error that says so, before any DNS write.
func TestLightBuildNamesTheFullBuild(t *testing.T) {
	b := bed.New(t, bed.Options{})

	tests := []struct {
		name string
		args []string
		what string // named in the error
	}{
		{"cloud publisher", []string{"--dns-persist", "cloudflare"}, "cloudflare"},
		{"cloud publisher alias", []string{"--dns-persist", "powerdns"}, "powerdns"},
		{"lego dns-01 provider", []string{"--dns", "route53"}, "route53"},
		{"lego http-01 to S3", []string{"--http", "--http.s3-bucket", "bucket"}, "s3"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := e2etest.NewHarness(t, b, binary.Path, "light@example.com", time.Minute)
			d := e2etest.Domain(b, "refused")
			before := e2etest.SOASerial(t, b)

			res := h.Run(t, append(append([]string{"--accept-tos"}, tt.args...), "-d", d, "run")...)
			if res.Code == 0 {
				t.Fatalf("want a failure:\n%s", res)
			}

			msg := strings.ToLower(res.Stderr)
			if !strings.Contains(msg, tt.what) || !strings.Contains(msg, "not in the light build") ||
				!strings.Contains(msg, "full lego-persist build") || strings.Contains(msg, "unknown") ||
				strings.Contains(msg, "unrecognized") {
				t.Errorf("want an error naming %s and the full build:\n%s", tt.what, res)
			}

			if after := e2etest.SOASerial(t, b); after != before {
				t.Errorf("SOA serial %d -> %d, want no DNS write", before, after)
			}
		})
	}
}

// TestLightBuildLinksNoCloudCode: the light build's package graph holds
// lego's four dns-01 providers and none of the cloud SDKs or publishers.
func TestLightBuildLinksNoCloudCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-tags", "light", "-deps", e2etest.PersistPkg).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}

	pkgs := strings.Fields(string(out))

	const legoDNS = "github.com/go-acme/lego/v4/providers/dns/"

	want := []string{"exec", "httpreq", "manual", "rfc2136"}

	forbidden := []string{
		"github.com/aws/", "cloud.google.com/", "google.golang.org/api", "github.com/Azure/",
		"github.com/libdns/", "github.com/go-acme/lego/v4/providers/http/s3",
	}

	providers := map[string]bool{}

	for _, p := range pkgs {
		if rest, ok := strings.CutPrefix(p, legoDNS); ok {
			if name, _, _ := strings.Cut(rest, "/"); name != "internal" {
				providers[name] = true
			}
		}

		for _, f := range forbidden {
			// libdns/libdns is the interface module (standard library only);
			// its provider modules are the cloud code.
			if strings.HasPrefix(p, f) && !strings.HasPrefix(p, "github.com/libdns/libdns") {
				t.Errorf("light build links %s", p)
			}
		}
	}

	got := slices.Sorted(maps.Keys(providers))
	if !slices.Equal(got, want) {
		t.Errorf("light build links lego's dns providers %v, want %v", got, want)
	}
}

// TestPackagedUnitRenewsFromTheEnvFile runs the ExecStart line of
// packaging/lego-persist-renew.service the way systemd does (Environment=,
// then the env file's variables; "$VAR" split into words, "${VAR}" one
// argument) with the light binary for /usr/bin/lego-persist: settings
// come from the variables alone, the renewal writes nothing to DNS and
// the renew hook runs.
func TestPackagedUnitRenewsFromTheEnvFile(t *testing.T) {
	b := bed.New(t, bed.Options{})
	h := e2etest.NewHarness(t, b, binary.Path, "unit@example.com", 5*time.Minute)
	d := e2etest.Domain(b, "unit")

	if res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run"); res.Code != 0 {
		t.Fatalf("first run failed:\n%s", res)
	}

	dir := t.TempDir()
	hook := filepath.Join(dir, "hook.sh")
	deployed := filepath.Join(dir, "deployed")

	if err := os.WriteFile(hook, []byte("#!/bin/sh\necho \"$1 $LEGO_CERT_DOMAIN\" > \"$2\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}

	unit, err := os.ReadFile(filepath.Join("..", "..", "packaging", "lego-persist-renew.service"))
	if err != nil {
		t.Fatal(err)
	}

	var (
		env       []string
		execStart string
	)

	for _, l := range strings.Split(string(unit), "\n") {
		if v, ok := strings.CutPrefix(l, "Environment="); ok {
			env = append(env, v)
		}

		if v, ok := strings.CutPrefix(l, "ExecStart="); ok {
			execStart = v
		}
	}

	// What /etc/default/lego-persist would hold; it wins over Environment=.
	envFile := map[string]string{
		"LEGO_EMAIL":               h.Email,
		"LEGO_PATH":                h.Path,
		"LEGO_PERSIST_FLAGS":       "--dns-persist.resolvers " + b.DNSAddr + " --dns-persist.propagation.disable-ans",
		"LEGO_PERSIST_RENEW_HOOK":  hook + " renewed " + deployed,
		"LEGO_PERSIST_RENEW_FLAGS": "--days 9999",
	}
	for k, v := range envFile {
		env = append(env, k+"="+v)
	}

	env = append(b.Env(), env...) // LEGO_SERVER, LEGO_CA_CERTIFICATES

	argv := systemdExpand(t, execStart, env)
	if len(argv) < 2 || argv[0] != "/usr/bin/lego-persist" {
		t.Fatalf("ExecStart = %q, want /usr/bin/lego-persist and arguments", execStart)
	}

	before := e2etest.SOASerial(t, b)

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	res := e2etest.Exec(ctx, t, binary.Path, env, argv[1:]...)
	if res.Code != 0 {
		t.Fatalf("%q failed:\n%s", argv, res)
	}

	if after := e2etest.SOASerial(t, b); after != before {
		t.Errorf("SOA serial %d -> %d, want no DNS write", before, after)
	}

	got, err := os.ReadFile(deployed)
	if err != nil || strings.TrimSpace(string(got)) != "renewed "+d {
		t.Errorf("renew hook wrote %q (%v), want %q\n%s", got, err, "renewed "+d, res)
	}
}

// systemdExpand splits an ExecStart= value (no quotes in ours) the way
// systemd expands variables: a word "$NAME" becomes the value's words
// (none when empty), "${NAME}" inside a word is replaced by the value
// as it is. The last assignment of a name in env wins.
func systemdExpand(t *testing.T, line string, env []string) []string {
	t.Helper()

	vars := map[string]string{}

	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}

	var argv []string

	for _, w := range strings.Fields(line) {
		if strings.ContainsAny(w, `"'`) {
			t.Fatalf("ExecStart word %q: quotes are not handled here", w)
		}

		if name, ok := strings.CutPrefix(w, "$"); ok && !strings.HasPrefix(name, "{") {
			argv = append(argv, strings.Fields(vars[name])...)
			continue
		}

		for {
			i := strings.Index(w, "${")
			j := strings.Index(w, "}")

			if i < 0 || j < i {
				break
			}

			w = w[:i] + vars[w[i+2:j]] + w[j+1:]
		}

		argv = append(argv, w)
	}

	return argv
}
