package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
	"github.com/lego-persist/lego-persist/providers/persist"
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

	// A publisher or a --dns provider that cannot be built (unknown name,
	// not in this build, missing variable) fails now, before an account key
	// is created or the CA is asked.
	if _, err := set.newPublisher(); err != nil {
		return err
	}

	if c.IsSet(flgDNS) {
		if _, err := legoDNSProvider(c.String(flgDNS)); err != nil {
			return fmt.Errorf("--%s %s: %w", flgDNS, c.String(flgDNS), err)
		}
	}

	cs, unlock, err := openCertificates(c, set)
	if err != nil {
		return err
	}
	defer unlock()

	sess, err := openSession(c, set, true)
	if err != nil {
		return err
	}

	bindToContext(c.Context, sess.cfg.HTTPClient)

	if err := sess.ensureRegistered(c); err != nil {
		return err
	}

	if err := sess.enablePersist(c); err != nil {
		return err
	}

	res, err := interruptible(c.Context, func() (*certificate.Resource, error) { return obtain(c, sess, set) })
	if err != nil {
		return fmt.Errorf("could not obtain a certificate: %w", err)
	}

	env, err := hookEnv(sess.account.Email, res.Domain, res, cs, certOptions(c))
	if err != nil {
		return err
	}

	hooks := newDeployer(set.store(), c.App.Writer)
	hook := storage.PendingHook{Domain: res.Domain, Command: c.String(flgRunHook), Timeout: c.Duration(flgRunHookTimeout), Env: env}

	if err := hooks.save(cs, res, hook); err != nil {
		return fmt.Errorf("%s: obtained, but %w", res.Domain, err)
	}

	fmt.Fprintf(c.App.Writer, "%s: obtained%s\n", res.Domain, expiresSuffix(res.Certificate))

	return hooks.run(c.Context, hook)
}

// recoverCertificates completes certificate saves that an earlier process
// could not finish (killed mid-save) and removes their temporary files.
// Call it holding the lock.
func recoverCertificates(cs *storage.CertStore) error {
	rec, err := cs.Recover()

	for _, base := range rec.Completed {
		log.Warnf("[%s] completed the save of a certificate that an interrupted run had begun", base)
	}

	if len(rec.Removed) > 0 {
		log.Infof("removed %d temporary file(s) of an interrupted run from %s", len(rec.Removed), cs.Dir())
	}

	if err != nil {
		return fmt.Errorf("storage %s: %w", cs.Dir(), err)
	}

	return nil
}

// checkDomains normalizes --domains to lowercase A-labels (IDNs are stored
// and ordered under their A-label names, as lego stores them) and rejects
// names no CA could issue for, naming the domain and the cause. It runs
// before anything is written.
func checkDomains(domains []string) ([]string, error) {
	out := make([]string, 0, len(domains))

	for _, d := range domains {
		n, err := persist.NormalizeDomain(d)
		if err != nil {
			return nil, usageErrorf("--%s %q: %w", flgDomains, d, err)
		}

		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}

	return out, nil
}

// ctxTransport ends every request when ctx ends: lego v4's ACME calls take
// no context, so this is how an interrupted command stops talking to the
// CA (each call then fails at once, and lego gives up on the order).
//
// It also carries the client's overall timeout. http.Client.Timeout starts
// a goroutine per request that ends only when the response body is closed
// or read to the end, and lego v4.35.2 never closes the body of responses
// it does not decode (every HEAD newNonce): with Client.Timeout, a run over
// many certificates keeps one goroutine per such request alive for the
// whole timeout. A context deadline costs no goroutine.
type ctxTransport struct {
	ctx     context.Context //nolint:containedctx // the command's lifetime, by design.
	base    http.RoundTripper
	timeout time.Duration
}

// bindToContext makes every request of hc end when ctx ends, and moves
// hc.Timeout into the transport (same meaning: the whole exchange, body
// included). Call it before hc is used concurrently.
func bindToContext(ctx context.Context, hc *http.Client) {
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}

	hc.Transport = &ctxTransport{ctx: ctx, base: base, timeout: hc.Timeout}
	hc.Timeout = 0
}

func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), context.Cause(t.ctx))
	}

	rctx, cancel := context.WithCancelCause(req.Context())
	release := func() { cancel(nil) }

	if t.timeout > 0 {
		var cancelTimeout context.CancelFunc

		rctx, cancelTimeout = context.WithTimeoutCause(rctx, t.timeout,
			fmt.Errorf("%s %s: no complete answer within %s (--%s)", req.Method, req.URL.Redacted(), t.timeout, flgHTTPTimeout))
		release = func() { cancelTimeout(); cancel(nil) }
	}

	stop := context.AfterFunc(t.ctx, func() { cancel(context.Cause(t.ctx)) })

	resp, err := t.base.RoundTrip(req.WithContext(rctx))
	if err != nil {
		stop()
		release()

		return nil, err
	}

	resp.Body = &releaseBody{ReadCloser: resp.Body, release: func() { stop(); release() }}

	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// wrapped transport.
func (t *ctxTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// releaseBody frees the request's context when the body is closed.
type releaseBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)

	return err
}

// interruptGrace is how long an interrupted command still waits for an
// ACME operation in flight: its requests fail at once, so it normally
// returns well within this; the grace only bounds lego's wait loops.
const interruptGrace = time.Second

// interruptible runs an ACME operation and returns its result, or an error
// carrying ctx's cause when ctx ends and the operation has not returned
// within interruptGrace. lego v4's order and authorization waits retry
// failed polls until their own timeout (--cert.timeout), so a cancelled
// operation can linger for that long; it is then abandoned (its
// goroutine ends with the process), and nothing of it is saved: only the
// caller saves, and only what op returned in time.
func interruptible(ctx context.Context, op func() (*certificate.Resource, error)) (*certificate.Resource, error) {
	type result struct {
		res *certificate.Resource
		err error
	}

	done := make(chan result, 1)

	go func() {
		res, err := op()
		done <- result{res, err}
	}()

	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
	}

	t := time.NewTimer(interruptGrace)
	defer t.Stop()

	select {
	case r := <-done:
		return r.res, r.err
	case <-t.C:
		return nil, context.Cause(ctx)
	}
}

// hookContext is the context of a hook for a certificate already stored:
// not cancelled by an interruption (the hook keeps its own timeout).
func hookContext(ctx context.Context) context.Context {
	return context.WithoutCancel(ctx)
}

func certOptions(c *cli.Context) storage.CertOptions {
	return storage.CertOptions{PEM: c.Bool(flgPEM), Filename: c.String(flgFilename), PFX: pfxEncoder(c)}
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
		return sess.client.Certificate.Obtain(obtainRequest(c, set.domains, key))
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

// openCertificates locks --path for a command that writes certificates
// (run, renew, revoke) and completes a save an interrupted run left
// behind. Call unlock when done.
func openCertificates(c *cli.Context, set *settings) (cs *storage.CertStore, unlock func(), err error) {
	lock, err := lockStore(c, set)
	if err != nil {
		return nil, nil, err
	}

	cs = set.store().Certificates(certOptions(c))
	if err := recoverCertificates(cs); err != nil {
		unlockStore(lock)
		return nil, nil, err
	}

	return cs, func() { unlockStore(lock) }, nil
}

// obtainRequest is lego's ObtainRequest from the command's flags, shared by
// run and renew.
func obtainRequest(c *cli.Context, domains []string, key crypto.PrivateKey) certificate.ObtainRequest {
	return certificate.ObtainRequest{
		Domains:                        domains,
		PrivateKey:                     key,
		MustStaple:                     c.Bool(flgMustStaple),
		NotBefore:                      timestamp(c, flgNotBefore),
		NotAfter:                       timestamp(c, flgNotAfter),
		Bundle:                         !c.Bool(flgNoBundle),
		PreferredChain:                 c.String(flgPreferredChain),
		Profile:                        c.String(flgProfile),
		AlwaysDeactivateAuthorizations: c.Bool(flgAlwaysDeactivateAuthorizations),
	}
}
