package e2etest

import (
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-acme/lego/v4/certcrypto"
)

// CertBase is where lego's layout stores domain's certificate under path,
// without the extension: <path>/certificates/<domain, "*" written "_">.
func CertBase(path, domain string) string {
	return filepath.Join(path, "certificates", strings.ReplaceAll(domain, "*", "_"))
}

// StoredCert reads the certificate and key stored for domain under path
// (CertBase's .crt and .key) and returns the leaf certificate. It fails tb
// when either file is missing or does not parse, and reports without
// stopping a key that is not the certificate's. What the certificate names
// is the caller's to check.
func StoredCert(tb testing.TB, path, domain string) *x509.Certificate {
	tb.Helper()

	base := CertBase(path, domain)

	crt, err := os.ReadFile(base + ".crt")
	if err != nil {
		tb.Fatal(err)
	}

	certs, err := certcrypto.ParsePEMBundle(crt)
	if err != nil {
		tb.Fatalf("%s.crt: %v", base, err)
	}

	keyPEM, err := os.ReadFile(base + ".key")
	if err != nil {
		tb.Fatal(err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(keyPEM)
	if err != nil {
		tb.Fatalf("%s.key: %v", base, err)
	}

	signer, ok := key.(crypto.Signer)
	if !ok {
		tb.Fatalf("%s.key: %T is not a signing key", base, key)
	}

	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(certs[0].PublicKey) {
		tb.Errorf("%s.key does not match %s.crt", base, base)
	}

	return certs[0]
}
