package storage

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"golang.org/x/net/idna"
)

// File extensions of lego v4's certificates folder.
const (
	CertExt     = ".crt"
	KeyExt      = ".key"
	IssuerExt   = ".issuer.crt"
	PEMExt      = ".pem"
	PFXExt      = ".pfx"
	ResourceExt = ".json"
)

const certificatesFolder = "certificates"

// CertOptions are lego's certificate storage switches.
type CertOptions struct {
	// PEM also writes <domain>.pem: certificate followed by key (--pem).
	PEM bool
	// Filename replaces the file base name derived from the domain
	// (lego's deprecated --filename).
	Filename string
	// PFX, when set, also writes <domain>.pfx with what it returns for the
	// resource, in the same set as the other files (lego's --pfx; the
	// caller encodes the PKCS#12).
	PFX func(res *certificate.Resource) ([]byte, error)
}

// CertStore is the certificates folder.
type CertStore struct {
	dir  string
	opts CertOptions
}

// Certificates returns the certificates folder of the store.
func (s *Store) Certificates(opts CertOptions) *CertStore {
	return &CertStore{dir: filepath.Join(s.root, certificatesFolder), opts: opts}
}

// Dir is the certificates folder.
func (c *CertStore) Dir() string { return c.dir }

// FileBase is the file name lego v4 derives from a domain: "*" becomes "_",
// ":" becomes "-", and the result is converted to A-labels.
func FileBase(domain string) (string, error) {
	safe, err := idna.ToASCII(strings.NewReplacer(":", "-", "*", "_").Replace(domain))
	if err != nil {
		return "", fmt.Errorf("%s: not usable as a file name: %w", domain, err)
	}

	if safe == "" || safe == "." || safe == ".." || strings.ContainsAny(safe, `/\`) {
		return "", fmt.Errorf("%q: not usable as a file name", domain)
	}

	return safe, nil
}

// Path is the file of domain with extension ext (CertExt, KeyExt, ...).
func (c *CertStore) Path(domain, ext string) (string, error) {
	base := c.opts.Filename
	if base == "" {
		var err error

		base, err = FileBase(domain)
		if err != nil {
			return "", err
		}
	}

	return filepath.Join(c.dir, base+ext), nil
}

// Save stores a certificate resource under res.Domain as lego does:
// .crt, .issuer.crt (when known), .key (when known, i.e. not from a CSR),
// .pem with CertOptions.PEM, .pfx with CertOptions.PFX, and the .json
// metadata.
//
// The files are written as one set (see writeSet): when Save returns, all
// of them are new, or (on an error before the commit) all are as they were.
// An interruption, even SIGKILL, never leaves a new .crt beside an old .key
// once Recover has run.
func (c *CertStore) Save(res *certificate.Resource) error {
	domain := res.Domain
	if domain == "" {
		return errors.New("certificate resource without domain")
	}

	if (c.opts.PEM || c.opts.PFX != nil) && res.PrivateKey == nil {
		return fmt.Errorf("%s: cannot write the .pem or .pfx file without the private key (was a CSR used?)", domain)
	}

	if err := ensureDir(c.dir); err != nil {
		return fmt.Errorf("%s: %w", domain, err)
	}

	files := []namedData{{CertExt, res.Certificate}}

	if res.IssuerCertificate != nil {
		files = append(files, namedData{IssuerExt, res.IssuerCertificate})
	}

	if res.PrivateKey != nil {
		files = append(files, namedData{KeyExt, res.PrivateKey})

		if c.opts.PEM {
			files = append(files, namedData{PEMExt, bytes.Join([][]byte{res.Certificate, res.PrivateKey}, nil)})
		}

		if c.opts.PFX != nil {
			pfx, err := c.opts.PFX(res)
			if err != nil {
				return fmt.Errorf("%s: .pfx file: %w", domain, err)
			}

			files = append(files, namedData{PFXExt, pfx})
		}
	}

	meta, err := json.MarshalIndent(res, "", "\t")
	if err != nil {
		return fmt.Errorf("%s: encode metadata: %w", domain, err)
	}

	files = append(files, namedData{ResourceExt, meta})

	set := make(map[string][]byte, len(files))
	base := ""

	for _, f := range files {
		path, err := c.Path(domain, f.ext)
		if err != nil {
			return err
		}

		set[path] = f.data

		if f.ext == ResourceExt {
			base = strings.TrimSuffix(filepath.Base(path), ResourceExt)
		}
	}

	if err := writeSet(c.dir, base, set); err != nil {
		return fmt.Errorf("%s: save certificate: %w", domain, err)
	}

	return nil
}

// namedData is the content of one file, by extension.
type namedData struct {
	ext  string
	data []byte
}

// Resource reads the .json metadata of domain.
func (c *CertStore) Resource(domain string) (certificate.Resource, error) {
	path, err := c.Path(domain, ResourceExt)
	if err != nil {
		return certificate.Resource{}, err
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		return certificate.Resource{}, fmt.Errorf("%s: read metadata: %w", domain, err)
	}

	var res certificate.Resource
	if err := json.Unmarshal(raw, &res); err != nil {
		return certificate.Resource{}, fmt.Errorf("%s: parse %s: %w", domain, path, err)
	}

	return res, nil
}

// Certificate reads the stored certificate (bundle) of domain, leaf first.
func (c *CertStore) Certificate(domain string) ([]*x509.Certificate, error) {
	path, err := c.Path(domain, CertExt)
	if err != nil {
		return nil, err
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: read certificate: %w", domain, err)
	}

	certs, err := certcrypto.ParsePEMBundle(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", domain, path, err)
	}

	if certs[0].IsCA {
		return nil, fmt.Errorf("%s: %s starts with a CA certificate, not the leaf", domain, path)
	}

	return certs, nil
}

// PrivateKey reads the stored private key of domain.
func (c *CertStore) PrivateKey(domain string) (crypto.PrivateKey, error) {
	path, err := c.Path(domain, KeyExt)
	if err != nil {
		return nil, err
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: read private key: %w", domain, err)
	}

	key, err := certcrypto.ParsePEMPrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: parse %s: %w", domain, path, err)
	}

	return key, nil
}

// Entry is one stored certificate.
type Entry struct {
	// Domain is the certificate's name in storage: the .json's domain when
	// present, else the certificate's main domain. Renew with it.
	Domain string
	// Names are the certificate's DNS names.
	Names []string
	// NotAfter is the leaf's expiry.
	NotAfter time.Time
	// Path is the .crt file.
	Path string
	// Err is set by Scan when the .crt could not be read or parsed; Names
	// and NotAfter are then empty.
	Err error
}

// List returns every stored certificate, sorted by Domain. A .crt that
// cannot be parsed is an error naming the file; issuer files are skipped.
// Scan is the variant that reports such files per entry instead.
func (c *CertStore) List() ([]Entry, error) {
	entries, err := c.Scan()
	if err != nil {
		return nil, err
	}

	for _, e := range entries {
		if e.Err != nil {
			return nil, fmt.Errorf("list certificates: %w", e.Err)
		}
	}

	return entries, nil
}

// Scan returns every stored certificate, sorted by Domain, like List; a
// .crt that cannot be read or parsed does not stop it: its Entry carries
// Err (naming the file and the cause) and a Domain taken from its .json,
// else from its file name, so that one damaged certificate does not keep
// the others from being renewed.
func (c *CertStore) Scan() ([]Entry, error) {
	matches, err := filepath.Glob(filepath.Join(c.dir, "*"+CertExt))
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", c.dir, err)
	}

	entries := make([]Entry, 0, len(matches))

	for _, path := range matches {
		if strings.HasSuffix(path, IssuerExt) {
			continue
		}

		entries = append(entries, scanOne(path))
	}

	sort.Slice(entries, func(i, j int) bool { return entries[i].Domain < entries[j].Domain })

	return entries, nil
}

func scanOne(path string) Entry {
	base := strings.TrimSuffix(path, CertExt)

	domain := ""

	if metaRaw, err := os.ReadFile(base + ResourceExt); err == nil {
		var res certificate.Resource
		if json.Unmarshal(metaRaw, &res) == nil {
			domain = res.Domain
		}
	}

	fallback := domain
	if fallback == "" {
		// lego's file name: "_" stands for the wildcard label.
		fallback = filepath.Base(base)
		if strings.HasPrefix(fallback, "_.") {
			fallback = "*." + strings.TrimPrefix(fallback, "_.")
		}
	}

	raw, err := os.ReadFile(path)
	if err != nil {
		return Entry{Domain: fallback, Path: path, Err: fmt.Errorf("%s: read %s: %w", fallback, path, err)}
	}

	leaf, err := certcrypto.ParsePEMCertificate(raw)
	if err != nil {
		return Entry{Domain: fallback, Path: path, Err: fmt.Errorf("%s: %s is not a PEM certificate (%w); restore it from a backup or delete the %s.* files", fallback, path, err, base)}
	}

	if domain == "" {
		if domain, err = certcrypto.GetCertificateMainDomain(leaf); err != nil {
			return Entry{Domain: fallback, Path: path, Err: fmt.Errorf("%s: %s: %w", fallback, path, err)}
		}
	}

	return Entry{
		Domain:   domain,
		Names:    certcrypto.ExtractDomains(leaf),
		NotAfter: leaf.NotAfter,
		Path:     path,
	}
}
