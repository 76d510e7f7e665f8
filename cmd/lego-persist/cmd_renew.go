package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/internal/wait"
	"github.com/lego-persist/lego-persist/providers/persist/dnsproviders"
	"github.com/mattn/go-isatty"
	"github.com/urfave/cli/v2"
)

// randomSleepMax is lego's (and certbot's) jitter before unattended renewals.
const randomSleepMax = 8 * time.Minute

func renewCommand() *cli.Command {
	return &cli.Command{
		Name: "renew",
		Usage: "Renew certificates that are due (--days, ARI): the one of --domains/--csr," +
			" or without them every stored certificate, --parallel at a time",
		Flags:  renewFlags(),
		Action: renewAction,
	}
}

// renewJob is one stored certificate to consider.
type renewJob struct {
	domain  string   // storage name
	domains []string // --domains as given (single mode)
	csr     *x509.CertificateRequest

	scanErr error // the stored certificate could not be read

	cert           *x509.Certificate
	due            bool
	replacesCertID string
}

// renewAction renews what is due: it checks the flags, takes the lock, runs
// the hooks an earlier run left pending, lists the certificates and hands
// them to a renewBatch.
func renewAction(c *cli.Context) error {
	start := time.Now()

	set, parallel, err := renewSettings(c)
	if err != nil {
		return err
	}

	if c.Bool(flgQuiet) {
		quietLog()
	}

	cs, unlock, err := openCertificates(c, set)
	if err != nil {
		return err
	}
	defer unlock()

	out := &lineWriter{w: c.App.Writer}
	hooks := newDeployer(set.store(), c.App.Writer)
	hookFailures := hooks.runPending(c.Context, out)

	jobs, err := renewJobs(set, cs)
	if err != nil {
		return err
	}

	if len(jobs) == 0 {
		// cron on a --path without certificates yet: success (PRODUCT.md §2).
		out.printf("nothing to renew: no certificates stored in %s", cs.Dir())

		if len(hookFailures) > 0 {
			return errReported
		}

		return nil
	}

	sess, err := openRegistered(c, set)
	if err != nil {
		return err
	}

	b := &renewBatch{c: c, sess: sess, cs: cs, hooks: hooks, out: out, parallel: parallel, tally: &renewTally{}}
	for domain, err := range hookFailures {
		b.tally.fail(domain, "the hook left pending by an earlier run failed again: "+err.Error())
	}

	b.run(jobs)

	return b.summary(time.Since(start))
}

// renewSettings checks the global and renew flags. parallel is --parallel,
// or 1 when lego's solvers need one listener per challenge.
func renewSettings(c *cli.Context) (*settings, int, error) {
	set, err := loadSettings(c)
	if err != nil {
		return nil, 0, err
	}

	if len(set.domains) > 0 && set.csr != "" {
		return nil, 0, usageErrorf("pass either --%s/-d or --%s/-c, not both", flgDomains, flgCSR)
	}

	if c.Bool(flgForceCertDomains) && len(set.domains) == 0 {
		return nil, 0, usageErrorf("--%s needs --%s/-d", flgForceCertDomains, flgDomains)
	}

	// An unknown --dns-persist name is a usage error before anything runs;
	// the publisher itself is built only when a certificate is due (its
	// credentials are not needed while every record exists).
	if err := checkPublisherName(set); err != nil {
		return nil, 0, err
	}

	parallel := c.Int(flgParallel)
	if parallel < 1 {
		return nil, 0, usageErrorf("--%s must be at least 1", flgParallel)
	}

	if parallel > 1 && sharesListener(c) {
		log.Printf("--%s/--%s run a listener per challenge: renewing one certificate at a time", flgHTTP, flgTLS)
		parallel = 1
	}

	return set, parallel, nil
}

// renewJobs lists what to consider: the certificate of --domains or --csr,
// else every stored certificate.
func renewJobs(set *settings, cs *storage.CertStore) ([]*renewJob, error) {
	switch {
	case set.csr != "":
		csr, err := readCSR(set.csr)
		if err != nil {
			return nil, err
		}

		domain, err := certcrypto.GetCSRMainDomain(csr)
		if err != nil {
			return nil, fmt.Errorf("--%s: %w", flgCSR, err)
		}

		return []*renewJob{{domain: domain, csr: csr}}, nil
	case len(set.domains) > 0:
		return []*renewJob{{domain: set.domains[0], domains: set.domains}}, nil
	}

	// Scan, not List: one damaged certificate fails alone (in decide).
	entries, err := cs.Scan()
	if err != nil {
		return nil, err
	}

	jobs := make([]*renewJob, 0, len(entries))
	for _, e := range entries {
		jobs = append(jobs, &renewJob{domain: e.Domain, scanErr: e.Err})
	}

	return jobs, nil
}

// decide loads the certificate and decides, as lego does, whether it is
// due: ARI's suggested window first (unless --ari-disable), then --days or
// --dynamic, and --force-cert-domains when the names differ.
func decide(c *cli.Context, sess *session, cs *storage.CertStore, j *renewJob) error {
	if j.scanErr != nil {
		return j.scanErr
	}

	certs, err := cs.Certificate(j.domain)
	if err != nil {
		return err
	}

	j.cert = certs[0]

	if !c.Bool(flgARIDisable) {
		if at := ariRenewalTime(c, sess, j); at != nil {
			if d := time.Until(*at); d > 0 {
				log.Infof("[%s] Sleeping %s until renewal time %s", j.domain, d.Round(time.Second), at.Format(time.RFC3339))

				if err := wait.Sleep(c.Context, d); err != nil {
					return err
				}
			}

			j.due = true
		}

		if j.replacesCertID, err = certificate.MakeARICertID(j.cert); err != nil {
			return fmt.Errorf("ARI certificate ID: %w", err)
		}
	}

	if !j.due {
		j.due = needRenewal(j.cert, c.Int(flgRenewDays), c.Bool(flgRenewDynamic), time.Now())
	}

	if !j.due && c.Bool(flgForceCertDomains) && !slices.Equal(certcrypto.ExtractDomains(j.cert), j.domains) {
		j.due = true
	}

	return nil
}

func ariRenewalTime(c *cli.Context, sess *session, j *renewJob) *time.Time {
	info, err := sess.client.Certificate.GetRenewalInfo(certificate.RenewalInfoRequest{Cert: j.cert})
	if err != nil {
		if !errors.Is(err, api.ErrNoARI) {
			log.Warnf("[%s] acme: calling renewal info endpoint: %v", j.domain, err)
		}

		return nil
	}

	at := info.ShouldRenewAt(time.Now().UTC(), c.Duration(flgARIWaitToRenewDuration))
	if at != nil {
		log.Infof("[%s] acme: renewalInfo endpoint indicates that renewal is needed", j.domain)
	}

	return at
}

// needRenewal is lego's rule: --days left or fewer (a negative --days
// always renews), or with --dynamic a third of the lifetime left (half for
// certificates of 10 days or less).
func needRenewal(cert *x509.Certificate, days int, dynamic bool, now time.Time) bool {
	if dynamic {
		lifetime := cert.NotAfter.Sub(cert.NotBefore)

		divisor := int64(3)
		if lifetime.Round(24*time.Hour).Hours()/24 <= 10 {
			divisor = 2
		}

		return cert.NotAfter.Add(-time.Duration(lifetime.Nanoseconds() / divisor)).Before(now)
	}

	if days < 0 {
		return true
	}

	return int(cert.NotAfter.Sub(now).Hours()/24.0) <= days
}

// checkPublisherName fails with newPublisher's usage error when
// --dns-persist names no known publisher.
func checkPublisherName(set *settings) error {
	if set.publisher == "none" {
		return nil
	}

	for _, p := range dnsproviders.All() {
		if strings.EqualFold(p.Name, set.publisher) {
			return nil
		}
	}

	_, err := set.newPublisher()

	return err
}

// randomSleep is lego's jitter for unattended runs: up to 8 minutes when
// stdout is not a terminal, unless --no-random-sleep. Once per run.
func randomSleep(c *cli.Context) {
	if c.Bool(flgNoRandomSleep) || isatty.IsTerminal(os.Stdout.Fd()) {
		return
	}

	d := rand.N(randomSleepMax) //nolint:gosec // jitter, not a secret.
	log.Infof("renewal: random delay of %s", d.Round(time.Second))

	_ = wait.Sleep(c.Context, d)
}
