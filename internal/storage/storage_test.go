package storage

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	legocmd "github.com/go-acme/lego/v4/cmd"
	"github.com/go-acme/lego/v4/registration"
	"github.com/urfave/cli/v2"
)

const testServer = "https://localhost:14000/dir"

func TestServerFolderIsLegosHostFolder(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"https://acme-v02.api.letsencrypt.org/directory", "acme-v02.api.letsencrypt.org"},
		{"https://localhost:14000/dir", "localhost_14000"},
		{"https://[::1]:14000/dir", "[__1]_14000"},
	}

	for _, tt := range tests {
		got, err := ServerFolder(tt.url)
		if err != nil {
			t.Fatalf("ServerFolder(%q): %v", tt.url, err)
		}

		if got != tt.want {
			t.Errorf("ServerFolder(%q) = %q, want %q", tt.url, got, tt.want)
		}
	}
}

func TestServerFolderRejectsURLWithoutHost(t *testing.T) {
	for _, u := range []string{"", "directory", "://x"} {
		if got, err := ServerFolder(u); err == nil {
			t.Errorf("ServerFolder(%q) = %q, want an error", u, got)
		}
	}
}

func TestAccountPathsFollowLegoLayout(t *testing.T) {
	tests := []struct {
		email   string
		wantDir string
		wantKey string
	}{
		{"me@example.com", "accounts/localhost_14000/me@example.com", "accounts/localhost_14000/me@example.com/keys/me@example.com.key"},
		{"", "accounts/localhost_14000/noemail@example.com", "accounts/localhost_14000/noemail@example.com/keys/noemail@example.com.key"},
	}

	root := t.TempDir()

	for _, tt := range tests {
		a, err := New(root).Account(testServer, tt.email)
		if err != nil {
			t.Fatal(err)
		}

		if want := filepath.Join(root, tt.wantDir); a.Dir() != want {
			t.Errorf("Dir() = %q, want %q", a.Dir(), want)
		}

		if want := filepath.Join(root, tt.wantDir, "account.json"); a.FilePath() != want {
			t.Errorf("FilePath() = %q, want %q", a.FilePath(), want)
		}

		if want := filepath.Join(root, tt.wantKey); a.KeyPath() != want {
			t.Errorf("KeyPath() = %q, want %q", a.KeyPath(), want)
		}
	}
}

func TestAccountRejectsEmailThatEscapesTheFolder(t *testing.T) {
	for _, email := range []string{"../x", "a/b", ".."} {
		if _, err := New(t.TempDir()).Account(testServer, email); err == nil {
			t.Errorf("Account(%q) succeeded, want an error", email)
		}
	}
}

func TestFileBaseSanitizesLikeLego(t *testing.T) {
	tests := []struct {
		domain string
		want   string
	}{
		{"example.com", "example.com"},
		{"*.example.com", "_.example.com"},
		{"bücher.example", "xn--bcher-kva.example"},
		{"2001:db8::1", "2001-db8--1"},
	}

	for _, tt := range tests {
		got, err := FileBase(tt.domain)
		if err != nil {
			t.Fatalf("FileBase(%q): %v", tt.domain, err)
		}

		if got != tt.want {
			t.Errorf("FileBase(%q) = %q, want %q", tt.domain, got, tt.want)
		}
	}
}

func TestFileBaseRejectsPathSeparators(t *testing.T) {
	for _, d := range []string{"../etc/passwd", "a/b", ".."} {
		if got, err := FileBase(d); err == nil {
			t.Errorf("FileBase(%q) = %q, want an error", d, got)
		}
	}
}

// legoContext is the urfave context lego's own storage code reads its
// settings from.
func legoContext(t *testing.T, root, email string, pemFile bool) *cli.Context {
	t.Helper()

	set := flag.NewFlagSet("lego", flag.ContinueOnError)
	set.String("path", root, "")
	set.String("server", testServer, "")
	set.String("email", email, "")
	set.String("pfx.format", "RC2", "")
	set.Bool("pem", pemFile, "")

	return cli.NewContext(cli.NewApp(), set, nil)
}

func testResource(t *testing.T, domain string, names []string, notAfter time.Time) *certificate.Resource {
	t.Helper()

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0]},
		DNSNames:     names,
		NotBefore:    notAfter.Add(-90 * 24 * time.Hour),
		NotAfter:     notAfter,
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}

	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	return &certificate.Resource{
		Domain:            domain,
		CertURL:           "https://localhost:14000/certZ/1",
		CertStableURL:     "https://localhost:14000/certZ/1",
		PrivateKey:        certcrypto.PEMEncode(key),
		Certificate:       certPEM,
		IssuerCertificate: []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	}
}

func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()

	files := map[string][]byte{}

	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}

		rel, _ := filepath.Rel(root, path)

		files[rel], err = os.ReadFile(path)

		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	return files
}

func TestSavedCertificateFilesAreByteIdenticalToLegos(t *testing.T) {
	res := testResource(t, "*.example.com", []string{"*.example.com", "example.com"}, time.Now().Add(60*24*time.Hour))

	legoRoot := t.TempDir()
	legoStore := legocmd.NewCertificatesStorage(legoContext(t, legoRoot, "me@example.com", true))
	legoStore.CreateRootFolder()
	legoStore.SaveResource(res)

	ourRoot := t.TempDir()
	if err := New(ourRoot).Certificates(CertOptions{PEM: true}).Save(res); err != nil {
		t.Fatal(err)
	}

	legoFiles, ourFiles := readTree(t, legoRoot), readTree(t, ourRoot)

	if len(ourFiles) != 5 {
		t.Errorf("wrote %d files, want 5 (.crt .issuer.crt .key .pem .json): %v", len(ourFiles), keys(ourFiles))
	}

	if !reflect.DeepEqual(legoFiles, ourFiles) {
		t.Errorf("files differ from lego's:\nlego: %v\nours: %v", keys(legoFiles), keys(ourFiles))
	}
}

func TestSavedAccountIsByteIdenticalToLegosAndLegoReadsIt(t *testing.T) {
	key, err := certcrypto.GeneratePrivateKey(certcrypto.EC256)
	if err != nil {
		t.Fatal(err)
	}

	acct := NewAccount("me@example.com", key)
	acct.Registration = &registration.Resource{
		URI:  "https://localhost:14000/my-account/1",
		Body: acme.Account{Status: "valid", Contact: []string{"mailto:me@example.com"}},
	}

	root := t.TempDir()

	as, err := New(root).Account(testServer, "me@example.com")
	if err != nil {
		t.Fatal(err)
	}

	if err := as.Save(acct); err != nil {
		t.Fatal(err)
	}

	legoRoot := t.TempDir()
	legoAS := legocmd.NewAccountsStorage(legoContext(t, legoRoot, "me@example.com", false))

	if err := os.MkdirAll(legoAS.GetRootUserPath(), 0o700); err != nil {
		t.Fatal(err)
	}

	legoAcct := &legocmd.Account{Email: acct.Email, Registration: acct.Registration}
	if err := legoAS.Save(legoAcct); err != nil {
		t.Fatal(err)
	}

	ours, err := os.ReadFile(as.FilePath())
	if err != nil {
		t.Fatal(err)
	}

	theirs, err := os.ReadFile(filepath.Join(legoAS.GetRootUserPath(), "account.json"))
	if err != nil {
		t.Fatal(err)
	}

	if string(ours) != string(theirs) {
		t.Errorf("account.json differs:\nours:\n%s\nlego:\n%s", ours, theirs)
	}

	// lego finds our account where it looks for its own.
	if got := legocmd.NewAccountsStorage(legoContext(t, root, "me@example.com", false)); !got.ExistsAccountFilePath() {
		t.Errorf("lego does not find the account saved under %s", root)
	}
}

func TestLegoWrittenStorageIsReadable(t *testing.T) {
	root := t.TempDir()
	ctx := legoContext(t, root, "me@example.com", false)

	legoAS := legocmd.NewAccountsStorage(ctx)
	legoKey := legoAS.GetPrivateKey(certcrypto.EC256)

	reg := &registration.Resource{URI: "https://localhost:14000/my-account/7", Body: acme.Account{Status: "valid"}}
	if err := legoAS.Save(&legocmd.Account{Email: "me@example.com", Registration: reg}); err != nil {
		t.Fatal(err)
	}

	res := testResource(t, "example.com", []string{"example.com"}, time.Now().Add(24*time.Hour))
	legoCS := legocmd.NewCertificatesStorage(ctx)
	legoCS.CreateRootFolder()
	legoCS.SaveResource(res)

	as, err := New(root).Account(testServer, "me@example.com")
	if err != nil {
		t.Fatal(err)
	}

	key, created, err := as.Key(certcrypto.RSA2048)
	if err != nil {
		t.Fatal(err)
	}

	if created {
		t.Error("Key() generated a new key instead of loading lego's")
	}

	if !reflect.DeepEqual(key, legoKey) {
		t.Error("loaded key differs from the key lego stored")
	}

	acct, err := as.Load(key)
	if err != nil {
		t.Fatal(err)
	}

	if !acct.Registered() || acct.Registration.URI != reg.URI || acct.Email != "me@example.com" {
		t.Errorf("loaded account = %+v, want lego's registration %s", acct, reg.URI)
	}

	cs := New(root).Certificates(CertOptions{})

	stored, err := cs.Resource("example.com")
	if err != nil {
		t.Fatal(err)
	}

	if stored.CertURL != res.CertURL || stored.Domain != "example.com" {
		t.Errorf("Resource() = %+v", stored)
	}

	if _, err := cs.PrivateKey("example.com"); err != nil {
		t.Errorf("PrivateKey(): %v", err)
	}
}

func TestSaveUsesPrivateModes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "lego")
	s := New(root)

	as, err := s.Account(testServer, "me@example.com")
	if err != nil {
		t.Fatal(err)
	}

	key, created, err := as.Key(certcrypto.EC256)
	if err != nil || !created {
		t.Fatalf("Key() = created %v, %v; want a new key", created, err)
	}

	if err := as.Save(NewAccount("me@example.com", key)); err != nil {
		t.Fatal(err)
	}

	if err := s.Certificates(CertOptions{}).Save(testResource(t, "example.com", []string{"example.com"}, time.Now())); err != nil {
		t.Fatal(err)
	}

	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}

		info, err := d.Info()
		if err != nil {
			return err
		}

		want := FilePerm
		if d.IsDir() {
			want = FolderPerm
		}

		if path != root && info.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", path, info.Mode().Perm(), want)
		}

		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKeyWarnsWhenReadableByOthers(t *testing.T) {
	root := t.TempDir()

	var warnings []string

	s := New(root, WithWarnings(func(format string, args ...any) {
		warnings = append(warnings, format)
	}))

	as, err := s.Account(testServer, "me@example.com")
	if err != nil {
		t.Fatal(err)
	}

	if _, _, err := as.Key(certcrypto.EC256); err != nil {
		t.Fatal(err)
	}

	if _, _, err := as.Key(certcrypto.EC256); err != nil {
		t.Fatal(err)
	}

	if len(warnings) != 0 {
		t.Fatalf("warned about a 0600 key: %q", warnings)
	}

	if err := os.Chmod(as.KeyPath(), 0o644); err != nil {
		t.Fatal(err)
	}

	if _, _, err := as.Key(certcrypto.EC256); err != nil {
		t.Fatal(err)
	}

	if len(warnings) != 1 {
		t.Fatalf("got %d warnings for a 0644 key, want 1", len(warnings))
	}
}

func TestWriteFileAtomicLeavesNoPartialFileOnError(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "example.com.crt")

	// A non-empty folder at the target makes the final rename fail.
	if err := os.MkdirAll(filepath.Join(target, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}

	if err := WriteFileAtomic(target, []byte("new"), FilePerm); err == nil {
		t.Fatal("WriteFileAtomic over a non-empty folder succeeded")
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}

	if len(entries) != 1 || entries[0].Name() != "example.com.crt" {
		t.Errorf("folder holds %v after a failed write, want only the original entry", names(entries))
	}
}

func TestWriteFileAtomicReplacesWholeFile(t *testing.T) {
	target := filepath.Join(t.TempDir(), "f")

	if err := os.WriteFile(target, []byte(strings.Repeat("old content ", 100)), 0o644); err != nil {
		t.Fatal(err)
	}

	if err := WriteFileAtomic(target, []byte("new"), FilePerm); err != nil {
		t.Fatal(err)
	}

	got, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}

	if string(got) != "new" {
		t.Errorf("content = %q, want %q", got, "new")
	}

	info, _ := os.Stat(target)
	if info.Mode().Perm() != FilePerm {
		t.Errorf("mode = %04o, want %04o", info.Mode().Perm(), FilePerm)
	}
}

func TestSaveWithPEMRequiresThePrivateKey(t *testing.T) {
	res := testResource(t, "example.com", []string{"example.com"}, time.Now())
	res.PrivateKey = nil

	cs := New(t.TempDir()).Certificates(CertOptions{PEM: true})
	if err := cs.Save(res); err == nil {
		t.Fatal("Save with PEM and no private key succeeded")
	}

	if _, err := os.Stat(cs.Dir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Save wrote something before failing: %v", err)
	}
}

func TestLockTimesOutWhileAnotherHolderHasIt(t *testing.T) {
	root := t.TempDir()
	ctx := context.Background()

	first, err := Lock(ctx, root, 0)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := Lock(ctx, root, 300*time.Millisecond); !errors.Is(err, ErrLockTimeout) {
		t.Fatalf("second Lock while held: err = %v, want ErrLockTimeout", err)
	}

	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}

	second, err := Lock(ctx, root, 0)
	if err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}

	if err := second.Unlock(); err != nil {
		t.Fatal(err)
	}

	if err := second.Unlock(); err != nil {
		t.Errorf("second Unlock: %v, want no-op", err)
	}
}

func TestLockWaitEndsWithContext(t *testing.T) {
	root := t.TempDir()

	held, err := Lock(context.Background(), root, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = held.Unlock() }()

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := Lock(ctx, root, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestListReturnsStoredCertificatesByDomain(t *testing.T) {
	cs := New(t.TempDir()).Certificates(CertOptions{})
	exp := time.Now().Add(40 * 24 * time.Hour).Truncate(time.Second).UTC()

	for _, r := range []*certificate.Resource{
		testResource(t, "b.example", []string{"b.example", "www.b.example"}, exp),
		testResource(t, "*.a.example", []string{"*.a.example"}, exp),
	} {
		if err := cs.Save(r); err != nil {
			t.Fatal(err)
		}
	}

	got, err := cs.List()
	if err != nil {
		t.Fatal(err)
	}

	want := []Entry{
		{Domain: "*.a.example", Names: []string{"*.a.example"}, NotAfter: exp, Path: filepath.Join(cs.Dir(), "_.a.example.crt")},
		{Domain: "b.example", Names: []string{"b.example", "www.b.example"}, NotAfter: exp, Path: filepath.Join(cs.Dir(), "b.example.crt")},
	}

	if !reflect.DeepEqual(got, want) {
		t.Errorf("List() = %+v\nwant %+v", got, want)
	}
}

func TestListOfMissingFolderIsEmpty(t *testing.T) {
	got, err := New(t.TempDir()).Certificates(CertOptions{}).List()
	if err != nil || len(got) != 0 {
		t.Errorf("List() = %v, %v; want nothing", got, err)
	}
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}

	return out
}

func names(entries []os.DirEntry) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, e.Name())
	}

	return out
}
