package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/urfave/cli/v2"
)

// lego v4's revoke flags.
const (
	flgKeep   = "keep"
	flgReason = "reason"
)

// archivesFolder is lego's folder of revoked certificates under --path.
const archivesFolder = "archives"

// crlReasons are the RFC 5280 §5.3.1 reason codes a CA accepts (7 is unused).
var crlReasons = map[uint]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged",
	4: "superseded", 5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL",
	9: "privilegeWithdrawn", 10: "aACompromise",
}

func revokeCommand() *cli.Command {
	return &cli.Command{
		Name:  "revoke",
		Usage: "Revoke the stored certificate of each --domains name, then archive its files (as lego)",
		Description: "The files of a revoked certificate move to <path>/archives/<unix time>.<file name>," +
			" as lego v4 moves them; --keep leaves them in place. The _validation-persist record stays:" +
			" it authorizes the account, not the certificate.",
		Flags: []cli.Flag{
			&cli.BoolFlag{
				Name:    flgKeep,
				Aliases: []string{"k"},
				Usage:   "Keep the certificates after the revocation instead of archiving them.",
			},
			&cli.UintFlag{
				Name: flgReason,
				Usage: "The revocation reason (RFC 5280 §5.3.1): 0 (unspecified), 1 (keyCompromise), 2 (cACompromise)," +
					" 3 (affiliationChanged), 4 (superseded), 5 (cessationOfOperation), 6 (certificateHold)," +
					" 8 (removeFromCRL), 9 (privilegeWithdrawn) or 10 (aACompromise).",
				Value: acme.CRLReasonUnspecified,
			},
		},
		Action: revokeAction,
	}
}

func revokeAction(c *cli.Context) error {
	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if len(set.domains) == 0 {
		return usageErrorf("pass --%s/-d with the certificate(s) to revoke", flgDomains)
	}

	reason := c.Uint(flgReason)
	if _, ok := crlReasons[reason]; !ok {
		return usageErrorf("--%s %d: not an RFC 5280 reason code (0-6, 8-10)", flgReason, reason)
	}

	cs, unlock, err := openCertificates(c, set)
	if err != nil {
		return err
	}
	defer unlock()

	sess, err := openRegistered(c, set)
	if err != nil {
		return err
	}

	for _, domain := range set.domains {
		if err := revokeOne(c, sess, cs, domain, reason); err != nil {
			return err
		}
	}

	return nil
}

func revokeOne(c *cli.Context, sess *session, cs *storage.CertStore, domain string, reason uint) error {
	path, err := cs.Path(domain, storage.CertExt)
	if err != nil {
		return err
	}

	certPEM, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: no stored certificate to revoke: %w", domain, err)
	}

	log.Printf("Trying to revoke certificate for domain %s", domain)

	if err := sess.client.Certificate.RevokeWithReason(certPEM, &reason); err != nil {
		return fmt.Errorf("%s: revoke at %s: %w", domain, sess.set.server, err)
	}

	fmt.Fprintf(c.App.Writer, "%s: revoked (reason %d, %s)\n", domain, reason, crlReasons[reason])

	if c.Bool(flgKeep) {
		return nil
	}

	moved, err := archive(cs, filepath.Join(sess.set.path, archivesFolder), domain, time.Now())
	if err != nil {
		return fmt.Errorf("%s: revoked, but archiving its files failed: %w", domain, err)
	}

	fmt.Fprintf(c.App.Writer, "%s: archived %d file(s) to %s\n", domain, len(moved), filepath.Join(sess.set.path, archivesFolder))

	return nil
}

// archive moves the files of domain's certificate (.crt, .issuer.crt, .key,
// .json, .pem, .pfx) into dir as "<unix time>.<file name>", lego v4's
// archive layout, and returns the new paths.
func archive(cs *storage.CertStore, dir, domain string, now time.Time) ([]string, error) {
	certPath, err := cs.Path(domain, storage.CertExt)
	if err != nil {
		return nil, err
	}

	base := strings.TrimSuffix(certPath, storage.CertExt)

	matches, err := filepath.Glob(base + ".*")
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(dir, storage.FolderPerm); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}

	stamp := strconv.FormatInt(now.Unix(), 10)

	var (
		moved []string
		errs  []error
	)

	for _, f := range matches {
		// lego's rule: <base>.<ext> and <base>.issuer.crt, not longer names
		// that merely start with the base (other certificates).
		if strings.TrimSuffix(f, filepath.Ext(f)) != base && f != base+storage.IssuerExt {
			continue
		}

		dst := filepath.Join(dir, stamp+"."+filepath.Base(f))
		if err := os.Rename(f, dst); err != nil {
			errs = append(errs, err)
			continue
		}

		moved = append(moved, dst)
	}

	return moved, errors.Join(errs...)
}
