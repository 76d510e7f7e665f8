package main

import (
	"context"
	"crypto"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/urfave/cli/v2"
)

// renewBatch renews a list of certificates with one session (account and
// client): first it decides which are due (no DNS, no order), then it
// renews those, --parallel at a time, saving each and running its hook.
// Every certificate gets one line on out; an interruption reports the ones
// not finished and keeps their stored files as they were.
type renewBatch struct {
	c        *cli.Context
	sess     *session
	cs       *storage.CertStore
	hooks    *deployer
	out      *lineWriter
	parallel int
	tally    *renewTally
}

// renewTally counts the outcomes and keeps every failure for the summary.
type renewTally struct {
	mu                                   sync.Mutex
	renewed, notDue, failed, interrupted int
	failures                             []string // "domain: cause"
}

func (t *renewTally) add(n *int) {
	t.mu.Lock()
	*n++
	t.mu.Unlock()
}

func (t *renewTally) fail(domain, cause string) {
	t.mu.Lock()
	t.failed++
	t.failures = append(t.failures, domain+": "+cause)
	t.mu.Unlock()
}

func (b *renewBatch) run(jobs []*renewJob) {
	due := b.decideAll(jobs)

	if len(due) > 0 {
		randomSleep(b.c)

		err := b.c.Err()
		if err == nil {
			err = b.sess.enablePersist(b.c)
		}

		if err != nil {
			for _, j := range due {
				b.failed(j, err)
			}

			return
		}
	}

	forEach(b.c.Context, due, b.parallel, b.renew, b.notDone)
}

// notDone reports a certificate the interruption kept from being finished.
func (b *renewBatch) notDone(j *renewJob) {
	b.tally.add(&b.tally.interrupted)
	b.out.printf("%s: not renewed: %v", j.domain, context.Cause(b.c.Context))
}

// failed reports err for j, or notDone when the run was interrupted.
func (b *renewBatch) failed(j *renewJob, err error) {
	if b.c.Err() != nil {
		b.notDone(j)
		return
	}

	b.tally.fail(j.domain, "failed: "+err.Error())
	b.out.printf("%s: failed: %v", j.domain, err)
}

// decideAll decides which certificates are due (ARI, --days) and returns
// them; the others are reported as not due or failed.
func (b *renewBatch) decideAll(jobs []*renewJob) []*renewJob {
	forEach(b.c.Context, jobs, b.parallel, func(j *renewJob) {
		if err := decide(b.c, b.sess, b.cs, j); err != nil {
			b.failed(j, err)
			return
		}

		if !j.due {
			b.tally.add(&b.tally.notDue)
			b.out.printf("%s: not due (expires %s)", j.domain, j.cert.NotAfter.UTC().Format(time.RFC3339))
		}
	}, b.notDone)

	return slices.DeleteFunc(slices.Clone(jobs), func(j *renewJob) bool { return !j.due || j.cert == nil })
}

// renew orders j's new certificate, saves it and deploys it. The hook is
// journaled before the save, so once the certificate is stored its hook
// runs even when interrupted meanwhile, or on the next renew when it fails
// (a rerun finds the certificate not due, so it would never be deployed).
func (b *renewBatch) renew(j *renewJob) {
	res, err := renewOne(b.c, b.sess, b.cs, j)
	if err != nil {
		b.failed(j, err)
		return
	}

	env, err := hookEnv(b.sess.account.Email, j.domain, res, b.cs, certOptions(b.c))
	if err != nil {
		b.failed(j, err)
		return
	}

	hook := storage.PendingHook{Domain: j.domain, Command: b.c.String(flgRenewHook), Timeout: b.c.Duration(flgRenewHookTimeout), Env: env}
	if err := b.hooks.save(b.cs, res, hook); err != nil {
		b.failed(j, err)
		return
	}

	if err := b.hooks.run(b.c.Context, hook); err != nil {
		b.tally.fail(j.domain, "renewed, but the renew hook failed: "+err.Error())
		b.out.printf("%s: renewed%s, but the renew hook failed: %v", j.domain, expiresSuffix(res.Certificate), err)

		return
	}

	b.tally.add(&b.tally.renewed)
	b.out.printf("%s: renewed%s", j.domain, expiresSuffix(res.Certificate))
}

// summary prints the failures again, sorted (so a long run's failures are
// not lost in its output), then the counts; it is errReported when any
// certificate failed or was interrupted.
func (b *renewBatch) summary(took time.Duration) error {
	t := b.tally

	if len(t.failures) > 0 && t.renewed+t.notDue+t.failed+t.interrupted > 1 {
		sort.Strings(t.failures)
		b.out.printf("failed (%d):\n  %s", len(t.failures), strings.Join(t.failures, "\n  "))
	}

	if t.interrupted > 0 {
		b.out.printf("renewed %d, not due %d, failed %d, interrupted %d in %.1fs",
			t.renewed, t.notDue, t.failed, t.interrupted, took.Seconds())
	} else {
		b.out.printf("renewed %d, not due %d, failed %d in %.1fs", t.renewed, t.notDue, t.failed, took.Seconds())
	}

	if t.failed > 0 || t.interrupted > 0 {
		return errReported
	}

	return nil
}

// renewOne orders the new certificate of j; the caller saves it.
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

	return res, nil
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
