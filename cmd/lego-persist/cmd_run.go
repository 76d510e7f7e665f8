package main

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/urfave/cli/v2"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:   "run",
		Usage:  "Register the account if needed, obtain a certificate for --domains (or --csr) and store it",
		Flags:  runFlags(),
		Action: runAction,
	}
}

func runAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if len(set.domains) > 0 && set.csr != "" {
		return usageErrorf("pass either --%s/-d or --%s/-c, not both", flgDomains, flgCSR)
	}

	if len(set.domains) == 0 && set.csr == "" {
		return usageErrorf("pass --%s/-d (or --%s/-c with a CSR)", flgDomains, flgCSR)
	}

	lock, err := lockStore(c, set)
	if err != nil {
		return err
	}
	defer unlockStore(lock)

	sess, err := openSession(c, set, true)
	if err != nil {
		return err
	}

	if err := sess.ensureRegistered(c); err != nil {
		return err
	}

	if err := sess.enablePersist(c); err != nil {
		return err
	}

	res, err := obtain(c, sess, set)
	if err != nil {
		return fmt.Errorf("could not obtain a certificate: %w", err)
	}

	cs := sess.store.Certificates(certOptions(c))
	if err := cs.Save(res); err != nil {
		return err
	}

	fmt.Fprintf(c.App.Writer, "%s: obtained%s\n", res.Domain, expiresSuffix(res.Certificate))

	env, err := hookEnv(sess.account.Email, res.Domain, res, cs, c.Bool(flgPEM))
	if err != nil {
		return err
	}

	return runHook(c.Context, c.String(flgRunHook), c.Duration(flgRunHookTimeout), env, c.App.ErrWriter)
}

func certOptions(c *cli.Context) storage.CertOptions {
	return storage.CertOptions{PEM: c.Bool(flgPEM), Filename: c.String(flgFilename)}
}

func obtain(c *cli.Context, sess *session, set *settings) (*certificate.Resource, error) {
	var key crypto.PrivateKey

	if c.IsSet(flgPrivateKey) {
		raw, err := os.ReadFile(c.String(flgPrivateKey))
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flgPrivateKey, err)
		}

		if key, err = certcrypto.ParsePEMPrivateKey(raw); err != nil {
			return nil, fmt.Errorf("--%s: %w", flgPrivateKey, err)
		}
	}

	if len(set.domains) > 0 {
		return sess.client.Certificate.Obtain(certificate.ObtainRequest{
			Domains:                        set.domains,
			PrivateKey:                     key,
			MustStaple:                     c.Bool(flgMustStaple),
			NotBefore:                      timestamp(c, flgNotBefore),
			NotAfter:                       timestamp(c, flgNotAfter),
			Bundle:                         !c.Bool(flgNoBundle),
			PreferredChain:                 c.String(flgPreferredChain),
			Profile:                        c.String(flgProfile),
			AlwaysDeactivateAuthorizations: c.Bool(flgAlwaysDeactivateAuthorizations),
		})
	}

	csr, err := readCSR(set.csr)
	if err != nil {
		return nil, err
	}

	return sess.client.Certificate.ObtainForCSR(certificate.ObtainForCSRRequest{
		CSR:                            csr,
		PrivateKey:                     key,
		NotBefore:                      timestamp(c, flgNotBefore),
		NotAfter:                       timestamp(c, flgNotAfter),
		Bundle:                         !c.Bool(flgNoBundle),
		PreferredChain:                 c.String(flgPreferredChain),
		Profile:                        c.String(flgProfile),
		AlwaysDeactivateAuthorizations: c.Bool(flgAlwaysDeactivateAuthorizations),
	})
}

func timestamp(c *cli.Context, name string) time.Time {
	if t := c.Timestamp(name); t != nil {
		return *t
	}

	return time.Time{}
}

// readCSR reads a PEM or DER certificate request, as lego does.
func readCSR(path string) (*x509.CertificateRequest, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flgCSR, err)
	}

	der := raw

	for rest := raw; ; {
		var block *pem.Block

		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}

		if block.Type == "CERTIFICATE REQUEST" || block.Type == "NEW CERTIFICATE REQUEST" {
			der = block.Bytes
			break
		}
	}

	csr, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("--%s %s: %w", flgCSR, path, err)
	}

	return csr, nil
}

func expiresSuffix(certPEM []byte) string {
	leaf, err := certcrypto.ParsePEMCertificate(certPEM)
	if err != nil {
		return ""
	}

	return " (expires " + leaf.NotAfter.UTC().Format(time.RFC3339) + ")"
}

func lockStore(c *cli.Context, set *settings) (*storage.FileLock, error) {
	lock, err := storage.Lock(c.Context, set.path, set.lockTimeout)
	if errors.Is(err, storage.ErrLockTimeout) {
		return nil, fmt.Errorf("%w; wait for it to finish or raise --%s", err, flgLockTimeout)
	}

	if err != nil {
		return nil, err
	}

	return lock, nil
}

func unlockStore(lock *storage.FileLock) {
	if err := lock.Unlock(); err != nil {
		log.Warnf("%v", err)
	}
}
