// Package providers holds end-to-end tests of the exec and httpreq
// publishers through the lego-persist binary: a script or an HTTP endpoint
// written the way lego users write them for lego's exec and httpreq DNS
// providers performs the update against BIND 9, and Pebble issues the
// certificate (both servers on loopback, started by e2e/bed).
package providers

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/e2e/bed"
)

// binary is the lego-persist built by TestMain.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lego-persist-providers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	binary = filepath.Join(dir, "lego-persist")

	build := exec.Command("go", "build", "-o", binary, "github.com/lego-persist/lego-persist/cmd/lego-persist")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr

	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lego-persist:", err)
		return 1
	}

	return m.Run()
}

// harness runs the binary against one bed with one --path and account.
type harness struct {
	b     *bed.Bed
	path  string
	email string
	// env is added to the bed's environment for every invocation (the
	// provider's EXEC_* or HTTPREQ_* variables).
	env []string
}

func newHarness(t *testing.T, b *bed.Bed, env ...string) *harness {
	t.Helper()

	return &harness{b: b, path: filepath.Join(t.TempDir(), ".lego"), email: "providers@example.com", env: env}
}

// result of one invocation.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// run executes lego-persist with the bed's CA, the bed's BIND as the only
// resolver (checked directly, not through the zone's NS hosts on port 53),
// then args.
func (h *harness) run(t *testing.T, args ...string) result {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	globals := []string{
		"--server", h.b.DirectoryURL,
		"--path", h.path,
		"--email", h.email,
		"--dns-persist.resolvers", h.b.DNSAddr,
		"--dns-persist.propagation.disable-ans",
		"--dns-persist.propagation.interval", "50ms",
	}

	cmd := exec.CommandContext(ctx, binary, append(globals, args...)...)
	cmd.Env = append(append(os.Environ(), h.b.Env()...), h.env...)

	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut

	err := cmd.Run()
	res := result{stdout: out.String(), stderr: errOut.String()}

	var ee *exec.ExitError

	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		t.Fatalf("run lego-persist %v: %v", args, err)
	}

	return res
}

// accountURI is the URL of the account stored under the harness's path.
func (h *harness) accountURI(t *testing.T) string {
	t.Helper()

	matches, err := filepath.Glob(filepath.Join(h.path, "accounts", "*", h.email, "account.json"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("account.json under %s: %q (%v), want exactly one", h.path, matches, err)
	}

	raw, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}

	var acc struct{ Registration struct{ URI string } }
	if err := json.Unmarshal(raw, &acc); err != nil || acc.Registration.URI == "" {
		t.Fatalf("%s: %v, URI %q", matches[0], err, acc.Registration.URI)
	}

	return acc.Registration.URI
}

// wantValue is the record value lego-persist publishes for the harness's
// account at the bed's CA (draft-01, first issuer name, no options).
func (h *harness) wantValue(t *testing.T) string {
	t.Helper()

	return h.b.IssuerDomains[0] + "; accounturi=" + h.accountURI(t)
}

// storedCert parses the stored certificate of domain and checks that it
// names domain and that the stored key belongs to it.
func storedCert(t *testing.T, path, domain string) *x509.Certificate {
	t.Helper()

	base := filepath.Join(path, "certificates", domain)

	crt, err := os.ReadFile(base + ".crt")
	if err != nil {
		t.Fatal(err)
	}

	certs, err := certcrypto.ParsePEMBundle(crt)
	if err != nil {
		t.Fatalf("%s.crt: %v", base, err)
	}

	if err := certs[0].VerifyHostname(domain); err != nil {
		t.Errorf("stored certificate does not cover %s: %v", domain, err)
	}

	keyPEM, err := os.ReadFile(base + ".key")
	if err != nil {
		t.Fatal(err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(keyPEM)
	if err != nil {
		t.Fatalf("%s.key: %v", base, err)
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("%s.key: %T is not a signing key", base, key)
	}

	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(certs[0].PublicKey) {
		t.Errorf("%s.key does not match %s.crt", base, base)
	}

	return certs[0]
}

func domain(b *bed.Bed, label string) string {
	return label + "." + strings.TrimSuffix(b.Zone, ".")
}

func recordName(d string) string {
	return "_validation-persist." + d + "."
}

// dnsState is the zone's SOA serial and named's count of UPDATE messages
// (the bed's own AddTXT/DeleteTXT not included).
type dnsState struct {
	serial  uint32
	updates int
}

func state(t *testing.T, b *bed.Bed) dnsState {
	t.Helper()

	s, err := b.SOASerial(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	n, err := b.UpdateCount()
	if err != nil {
		t.Fatal(err)
	}

	return dnsState{serial: s, updates: n}
}

// wantOneUpdate fails unless exactly one UPDATE reached named between
// before and now and it changed the zone once.
func wantOneUpdate(t *testing.T, b *bed.Bed, before dnsState) {
	t.Helper()

	if now := state(t, b); now.serial != before.serial+1 || now.updates != before.updates+1 {
		t.Errorf("SOA serial %d -> %d, UPDATEs %d -> %d; want exactly one of each",
			before.serial, now.serial, before.updates, now.updates)
	}
}

// wantNoUpdate fails if anything wrote to the zone since before.
func wantNoUpdate(t *testing.T, b *bed.Bed, before dnsState) {
	t.Helper()

	if now := state(t, b); now != before {
		t.Errorf("DNS written: SOA serial %d -> %d, UPDATEs %d -> %d",
			before.serial, now.serial, before.updates, now.updates)
	}
}

func txt(t *testing.T, b *bed.Bed, name string) []string {
	t.Helper()

	v, err := b.TXT(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}

	return v
}
