package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/certificate"
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
)

// hookEnv is lego's hook environment for a stored certificate.
func hookEnv(email, domain string, res *certificate.Resource, cs *storage.CertStore, pemFile bool) ([]string, error) {
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

	if pemFile {
		if err := add(hookEnvCertPEMPath, storage.PEMExt); err != nil {
			return nil, err
		}
	}

	return env, nil
}

// runHook runs hook (split on spaces, as lego does; no shell) with env
// added to ours, its output going to out, killed after timeout.
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
