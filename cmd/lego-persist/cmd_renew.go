package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
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

type renewTally struct {
	mu                                   sync.Mutex
	renewed, notDue, failed, interrupted int
}

//nolint:gocyclo,funlen // the renew procedure, step by step.
func renewAction(c *cli.Context) error {
	start := time.Now()

	set, err := loadSettings(c)
	if err != nil {
		return err
	}

	if len(set.domains) > 0 && set.csr != "" {
		return usageErrorf("pass either --%s/-d or --%s/-c, not both", flgDomains, flgCSR)
	}

	if c.Bool(flgForceCertDomains) && len(set.domains) == 0 {
		return usageErrorf("--%s needs --%s/-d", flgForceCertDomains, flgDomains)
	}

	// An unknown --dns-persist name is a usage error before anything runs;
	// the publisher itself is built only when a certificate is due (its
	// credentials are not needed while every record exists).
	if err := checkPublisherName(set); err != nil {
		return err
	}

	parallel := c.Int(flgParallel)
	if parallel < 1 {
		return usageErrorf("--%s must be at least 1", flgParallel)
	}

	if parallel > 1 && sharesListener(c) {
		log.Printf("--%s/--%s run a listener per challenge: renewing one certificate at a time", flgHTTP, flgTLS)
		parallel = 1
	}

	lock, err := lockStore(c, set)
	if err != nil {
		return err
	}
	defer unlockStore(lock)

	if err := recoverCertificates(set.store().Certificates(certOptions(c))); err != nil {
		return err
	}

	sess, err := openSession(c, set, false)
	if err != nil {
		return err
	}

	bindToContext(c.Context, sess.cfg.HTTPClient)

	if !sess.account.Registered() {
		return fmt.Errorf("account %s is not registered: use 'run' to register it", userID(set.email))
	}

	cs := sess.store.Certificates(certOptions(c))

	jobs, err := renewJobs(set, cs)
	if err != nil {
		return err
	}

	if len(jobs) == 0 {
		fmt.Fprintf(c.App.Writer, "no certificates stored in %s\n", cs.Dir())
		return nil
	}

	out := &lineWriter{w: c.App.Writer}
	tally := &renewTally{}

	// An interrupted run reports every certificate it did not finish, and
	// keeps their stored files as they were.
	notDone := func(j *renewJob) {
		tally.add(&tally.interrupted)
		out.printf("%s: not renewed: %v", j.domain, context.Cause(c.Context))
	}

	// Step 1: which certificates are due (ARI, --days); no DNS, no order.
	forEach(c.Context, jobs, parallel, func(j *renewJob) {
		if err := decide(c, sess, cs, j); err != nil {
			if c.Err() != nil {
				notDone(j)
				return
			}

			tally.add(&tally.failed)
			out.printf("%s: failed: %v", j.domain, err)

			return
		}

		if !j.due {
			tally.add(&tally.notDue)
			out.printf("%s: not due (expires %s)", j.domain, j.cert.NotAfter.UTC().Format(time.RFC3339))
		}
	}, notDone)

	due := slices.DeleteFunc(slices.Clone(jobs), func(j *renewJob) bool { return !j.due || j.cert == nil })

	if len(due) > 0 {
		randomSleep(c)

		err := c.Err()
		if err == nil {
			err = sess.enablePersist(c)
		}

		if err != nil {
			for _, j := range due {
				if c.Err() != nil {
					notDone(j)
					continue
				}

				tally.add(&tally.failed)
				out.printf("%s: failed: %v", j.domain, err)
			}

			due = nil
		}
	}

	// Step 2: renew, sharing one client and account.
	var hookMu sync.Mutex

	forEach(c.Context, due, parallel, func(j *renewJob) {
		res, err := renewOne(c, sess, cs, j)
		if err != nil {
			if c.Err() != nil {
				notDone(j)
				return
			}

			tally.add(&tally.failed)
			out.printf("%s: failed: %v", j.domain, err)

			return
		}

		// Stored: the hook runs even when interrupted meanwhile, or the new
		// certificate would never be deployed (a rerun finds it not due).
		env, err := hookEnv(sess.account.Email, j.domain, res, cs, c.Bool(flgPEM))
		if err == nil {
			hookMu.Lock()
			err = runHook(hookContext(c.Context), c.String(flgRenewHook), c.Duration(flgRenewHookTimeout), env, c.App.ErrWriter)
			hookMu.Unlock()
		}

		if err != nil {
			tally.add(&tally.failed)
			out.printf("%s: renewed%s, but the renew hook failed: %v", j.domain, expiresSuffix(res.Certificate), err)

			return
		}

		tally.add(&tally.renewed)
		out.printf("%s: renewed%s", j.domain, expiresSuffix(res.Certificate))
	}, notDone)

	if tally.interrupted > 0 {
		out.printf("renewed %d, not due %d, failed %d, interrupted %d in %.1fs",
			tally.renewed, tally.notDue, tally.failed, tally.interrupted, time.Since(start).Seconds())
	} else {
		out.printf("renewed %d, not due %d, failed %d in %.1fs", tally.renewed, tally.notDue, tally.failed, time.Since(start).Seconds())
	}

	if tally.failed > 0 || tally.interrupted > 0 {
		return errReported
	}

	return nil
}

func (t *renewTally) add(n *int) {
	t.mu.Lock()
	*n++
	t.mu.Unlock()
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
			if wait := time.Until(*at); wait > 0 {
				log.Infof("[%s] Sleeping %s until renewal time %s", j.domain, wait.Round(time.Second), at.Format(time.RFC3339))

				if err := sleep(c.Context, wait); err != nil {
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

func renewOne(c *cli.Context, sess *session, cs *storage.CertStore, j *renewJob) (*certificate.Resource, error) {
	log.Infof("[%s] acme: Trying renewal with %d hours remaining", j.domain, int(time.Until(j.cert.NotAfter).Hours()))

	var key crypto.PrivateKey

	if c.Bool(flgReuseKey) {
		var err error
		if key, err = cs.PrivateKey(j.domain); err != nil {
			return nil, err
		}
	}

	res, err := interruptible(c.Context, func() (*certificate.Resource, error) {
		if j.csr != nil {
			return sess.client.Certificate.ObtainForCSR(certificate.ObtainForCSRRequest{
				CSR:                            j.csr,
				PrivateKey:                     key,
				NotBefore:                      timestamp(c, flgNotBefore),
				NotAfter:                       timestamp(c, flgNotAfter),
				Bundle:                         !c.Bool(flgNoBundle),
				PreferredChain:                 c.String(flgPreferredChain),
				Profile:                        c.String(flgProfile),
				AlwaysDeactivateAuthorizations: c.Bool(flgAlwaysDeactivateAuthorizations),
				ReplacesCertID:                 j.replacesCertID,
			})
		}

		domains := certcrypto.ExtractDomains(j.cert)
		if c.Bool(flgForceCertDomains) {
			domains = slices.Clone(j.domains)
		} else {
			for _, d := range j.domains {
				if !slices.Contains(domains, d) {
					domains = append(domains, d)
				}
			}
		}

		req := obtainRequest(c, domains, key)
		req.ReplacesCertID = j.replacesCertID

		return sess.client.Certificate.Obtain(req)
	})
	if err != nil {
		return nil, err
	}

	res.Domain = j.domain

	if err := cs.Save(res); err != nil {
		return nil, err
	}

	return res, nil
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

	_ = sleep(c.Context, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()

	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// forEach runs fn on every job, at most n at a time. Once ctx ends it
// starts no more: the jobs not started go to skipped instead. It returns
// when every started fn has returned.
func forEach(ctx context.Context, jobs []*renewJob, n int, fn, skipped func(*renewJob)) {
	sem := make(chan struct{}, n)

	var wg sync.WaitGroup

	for i, j := range jobs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}

		if ctx.Err() != nil {
			for _, rest := range jobs[i:] {
				skipped(rest)
			}

			break
		}

		wg.Add(1)

		go func() {
			defer wg.Done()
			defer func() { <-sem }()

			fn(j)
		}()
	}

	wg.Wait()
}
