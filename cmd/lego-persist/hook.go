package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/storage"
)

// lego's hook environment variables.
const (
	hookEnvAccountEmail   = "LEGO_ACCOUNT_EMAIL"
	hookEnvCertDomain     = "LEGO_CERT_DOMAIN"
	hookEnvCertPath       = "LEGO_CERT_PATH"
	hookEnvCertKeyPath    = "LEGO_CERT_KEY_PATH"
	hookEnvIssuerCertPath = "LEGO_ISSUER_CERT_PATH"
	hookEnvCertPEMPath    = "LEGO_CERT_PEM_PATH"
	hookEnvCertPFXPath    = "LEGO_CERT_PFX_PATH"
)

// hookEnv is lego's hook environment for a stored certificate.
func hookEnv(email, domain string, res *certificate.Resource, cs *storage.CertStore, opts storage.CertOptions) ([]string, error) {
	env := []string{hookEnvAccountEmail + "=" + email, hookEnvCertDomain + "=" + domain}

	add := func(name, ext string) error {
		p, err := cs.Path(domain, ext)
		if err != nil {
			return err
		}

		env = append(env, name+"="+p)

		return nil
	}

	if err := add(hookEnvCertPath, storage.CertExt); err != nil {
		return nil, err
	}

	if err := add(hookEnvCertKeyPath, storage.KeyExt); err != nil {
		return nil, err
	}

	if res.IssuerCertificate != nil {
		if err := add(hookEnvIssuerCertPath, storage.IssuerExt); err != nil {
			return nil, err
		}
	}

	if opts.PEM {
		if err := add(hookEnvCertPEMPath, storage.PEMExt); err != nil {
			return nil, err
		}
	}

	if opts.PFX != nil {
		if err := add(hookEnvCertPFXPath, storage.PFXExt); err != nil {
			return nil, err
		}
	}

	return env, nil
}

// runHook runs hook (split on spaces, as lego does; no shell) with env
// added to ours, its output (stdout and stderr, as lego prints it) going to
// out, killed after timeout.
func runHook(ctx context.Context, hook string, timeout time.Duration, env []string, out io.Writer) error {
	parts := strings.Fields(hook)
	if len(parts) == 0 {
		return nil
	}

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, parts[0], parts[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = out
	cmd.Stderr = out

	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("hook %s timed out after %s", parts[0], timeout)
		}

		return fmt.Errorf("hook %s: %w", parts[0], err)
	}

	return nil
}

// deployer runs the hooks of saved certificates through the store's
// pending-hooks journal: a hook is recorded before its certificate is
// saved and cleared only once it succeeded, so a hook that was interrupted
// or failed runs again on the next renew. Hooks run one at a time, their
// output on out (lego prints hook output on stdout).
type deployer struct {
	journal *storage.HookJournal
	out     io.Writer
	mu      sync.Mutex
}

func newDeployer(st *storage.Store, out io.Writer) *deployer {
	return &deployer{journal: st.PendingHooks(), out: out}
}

// prepare records the hook of a certificate about to be saved; without a
// hook it does nothing. Call it before the save, and abandon when the save
// failed.
func (d *deployer) prepare(h storage.PendingHook) error {
	if strings.TrimSpace(h.Command) == "" {
		return nil
	}

	h.Since = time.Now().UTC()

	return d.journal.Add(h)
}

// save stores res in cs with its hook journaled first (see prepare), so
// that once the certificate is stored its hook is sure to run: now (run),
// or on the next renew when it fails or is cut off. On error nothing new
// is stored and no hook is pending for it.
func (d *deployer) save(cs *storage.CertStore, res *certificate.Resource, h storage.PendingHook) error {
	if err := d.prepare(h); err != nil {
		return fmt.Errorf("not saved: %w", err)
	}

	if err := cs.Save(res); err != nil {
		d.abandon(h.Domain)
		return err
	}

	return nil
}

// abandon clears a hook recorded for a save that failed (the old
// certificate stays, and with it the old deployment).
func (d *deployer) abandon(domain string) {
	if err := d.journal.Done(domain); err != nil {
		log.Warnf("%v", err)
	}
}

// run runs h (not cancelled by an interruption: its certificate is saved)
// and clears it from the journal when it succeeded.
func (d *deployer) run(ctx context.Context, h storage.PendingHook) error {
	if strings.TrimSpace(h.Command) == "" {
		return nil
	}

	d.mu.Lock()
	err := runHook(hookContext(ctx), h.Command, h.Timeout, h.Env, d.out)
	d.mu.Unlock()

	if err != nil {
		return fmt.Errorf("%w; it runs again on the next renew", err)
	}

	return d.journal.Done(h.Domain)
}

// runPending runs every hook an earlier run left pending and reports each
// on out; it returns the failures by domain.
func (d *deployer) runPending(ctx context.Context, out *lineWriter) map[string]error {
	failed := map[string]error{}

	pending, err := d.journal.Pending()
	if err != nil {
		// An unreadable entry is a certificate that may be undeployed: a
		// failure (exit 1) until someone looks.
		failed[d.journal.Dir()] = err
		out.printf("%s: %v", d.journal.Dir(), err)
	}

	for _, h := range pending {
		if err := d.run(ctx, h); err != nil {
			failed[h.Domain] = err
			out.printf("%s: the hook left pending by an earlier run (since %s) failed again: %v",
				h.Domain, h.Since.Format(time.RFC3339), err)

			continue
		}

		out.printf("%s: ran the hook left pending by an earlier run (since %s)", h.Domain, h.Since.Format(time.RFC3339))
	}

	return failed
}
