// Package reliability holds end-to-end tests of the lego-persist binary
// under interruption, bad input, hostile environments and load (issue 7),
// against Pebble and BIND 9 on loopback (e2e/bed). The binary is built once
// per test binary and run as a child process, the way cron runs it.
package reliability

import (
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
)

// envBinary names a prebuilt lego-persist to test instead of building one
// (to run these tests against another version).
const envBinary = "LEGO_PERSIST_BINARY"

// binary is the lego-persist built by TestMain, or the one $LEGO_PERSIST_BINARY
// names.
var binary = &e2etest.Binary{Pkg: e2etest.PersistPkg, LDFlags: "-X main.version=e2e"}

func TestMain(m *testing.M) {
	if binary.Path = os.Getenv(envBinary); binary.Path != "" {
		os.Exit(m.Run())
	}

	os.Exit(e2etest.Main(m, "lego-persist-reliability-", binary))
}

const email = "rel@example.com"

// harness runs the binary against one bed with one --path; its Env is added
// after os.Environ() and b.Env().
type harness struct {
	*e2etest.Harness
}

// newHarness runs the binary against b's CA with a fresh --path, account
// email, a 50ms propagation poll and at most 10 minutes a run.
func newHarness(t testing.TB, b *bed.Bed) *harness {
	t.Helper()

	return &harness{e2etest.NewHarness(t, b, binary.Path, email, 10*time.Minute)}
}

// result is one run's outcome and, where the platform reports it, what the
// process used.
type result struct {
	e2etest.Result
	rusage *procStats
}

func (r result) output() string { return r.Stdout + r.Stderr }

// run executes lego-persist <globals> <args...> and fails the test on a
// panic or when it cannot be started.
func (h *harness) run(t testing.TB, args ...string) result {
	t.Helper()

	res := h.Run(t, args...)

	if strings.Contains(res.Stderr, "panic:") || strings.Contains(res.Stderr, "goroutine 1 [") {
		t.Errorf("lego-persist %v panicked:\n%s", args, res)
	}

	return result{Result: res, rusage: stats(res.State)}
}

// tree returns every file under root with its content.
func tree(t testing.TB, root string) map[string]string {
	t.Helper()

	files := map[string]string{}

	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}

		if err != nil || d.IsDir() {
			return err
		}

		raw, err := os.ReadFile(path)
		files[path] = string(raw)

		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	return files
}

// leftovers lists temporary and journal files under root.
func leftovers(t testing.TB, root string) []string {
	t.Helper()

	var out []string

	for path := range tree(t, root) {
		base := filepath.Base(path)
		if strings.Contains(base, ".tmp-") || strings.HasSuffix(base, ".pending") {
			out = append(out, path)
		}
	}

	return out
}

// certSet is one stored certificate's files, checked for consistency.
type certSet struct {
	leaf *x509.Certificate
	err  error
}

// readSet reads the files of domain under path and checks that they form
// one complete set: .crt parses and covers domain, .key is the key of that
// certificate, .issuer.crt signed it, and .json names the domain and the
// URL Pebble gave this very certificate (/certZ/<hex serial>).
func readSet(path, domain string) certSet {
	base := filepath.Join(path, "certificates", strings.ReplaceAll(domain, "*", "_"))

	fail := func(format string, args ...any) certSet {
		return certSet{err: fmt.Errorf("%s: "+format, append([]any{domain}, args...)...)}
	}

	crt, err := os.ReadFile(base + ".crt")
	if err != nil {
		return fail("%v", err)
	}

	certs, err := certcrypto.ParsePEMBundle(crt)
	if err != nil {
		return fail(".crt: %v", err)
	}

	leaf := certs[0]
	if err := leaf.VerifyHostname(domain); err != nil {
		return fail(".crt does not cover the domain: %v", err)
	}

	keyPEM, err := os.ReadFile(base + ".key")
	if err != nil {
		return fail("%v", err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(keyPEM)
	if err != nil {
		return fail(".key: %v", err)
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		return fail(".key: %T is not a signing key", key)
	}

	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(leaf.PublicKey) {
		return fail(".key is not the key of .crt (serial %x): mixed set", leaf.SerialNumber)
	}

	issuerPEM, err := os.ReadFile(base + ".issuer.crt")
	if err != nil {
		return fail("%v", err)
	}

	issuer, err := certcrypto.ParsePEMCertificate(issuerPEM)
	if err != nil {
		return fail(".issuer.crt: %v", err)
	}

	if err := leaf.CheckSignatureFrom(issuer); err != nil {
		return fail(".issuer.crt did not sign .crt: %v", err)
	}

	raw, err := os.ReadFile(base + ".json")
	if err != nil {
		return fail("%v", err)
	}

	var res certificate.Resource
	if err := json.Unmarshal(raw, &res); err != nil {
		return fail(".json: %v", err)
	}

	if res.Domain != domain {
		return fail(".json names %q", res.Domain)
	}

	if want := "/certZ/" + hex.EncodeToString(leaf.SerialNumber.Bytes()); !strings.HasSuffix(res.CertURL, want) {
		return fail(".json certUrl %s is not the URL of .crt (serial %x): mixed set", res.CertURL, leaf.SerialNumber)
	}

	return certSet{leaf: leaf}
}

// fleet issues certificates with the library, in process and in parallel,
// for an account it registers and stores under path the way the CLI does:
// the fast way to fill a --path with many real Pebble certificates.
type fleet struct {
	b       *bed.Bed
	path    string
	client  *lego.Client
	certs   *storage.CertStore
	profile string
}

func newFleet(t testing.TB, b *bed.Bed, path, profile string) *fleet {
	t.Helper()

	st := storage.New(path)

	as, err := st.Account(b.DirectoryURL, email)
	if err != nil {
		t.Fatal(err)
	}

	key, _, err := as.Key(certcrypto.EC256)
	if err != nil {
		t.Fatal(err)
	}

	acct := storage.NewAccount(email, key)

	cfg := lego.NewConfig(acct)
	cfg.CADirURL = b.DirectoryURL
	cfg.HTTPClient = b.HTTPClient()
	cfg.Certificate.KeyType = certcrypto.EC256

	client, err := lego.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}

	reg, err := client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	if err != nil {
		t.Fatal(err)
	}

	acct.Registration = reg

	if err := as.Save(acct); err != nil {
		t.Fatal(err)
	}

	err = persist.Enable(client, cfg, e2etest.RFC2136(t, b),
		e2etest.Loopback(b.DNSAddr, 30*time.Second, 50*time.Millisecond)...)
	if err != nil {
		t.Fatal(err)
	}

	return &fleet{b: b, path: path, client: client, certs: st.Certificates(storage.CertOptions{}), profile: profile}
}

// issue obtains and stores a certificate for each domain, parallel at a
// time.
func (f *fleet) issue(t testing.TB, domains []string, parallel int) {
	t.Helper()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)

	sem := make(chan struct{}, parallel)

	for _, d := range domains {
		wg.Add(1)

		sem <- struct{}{}

		go func() {
			defer wg.Done()
			defer func() { <-sem }()

			res, err := f.client.Certificate.Obtain(certificate.ObtainRequest{Domains: []string{d}, Bundle: true, Profile: f.profile})
			if err == nil {
				err = f.certs.Save(res)
			}

			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", d, err))
				mu.Unlock()
			}
		}()
	}

	wg.Wait()

	if len(errs) > 0 {
		t.Fatalf("issuing %d certificates: %d failed: %v", len(domains), len(errs), errors.Join(errs...))
	}
}
