package persist

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
)

// ErrAccountNotValid marks a failed pre-publication account check: the CA
// does not report the account as valid (deactivated, revoked, unknown to
// this key), so no record naming it is handed out.
var ErrAccountNotValid = errors.New("the ACME account is not valid at the CA")

// accountProof is the pre-publication account check of draft-02 §4.5 and
// §9.4 (a MUST there; lego-persist applies it to every draft): before a
// record value goes to a DNS provider, to an operator or into a printed
// zone-file line, an authenticated POST-as-GET with the empty payload ""
// to the exact account URL the value names, following no redirect, must
// return the account with status "valid". One success serves every later
// publication of the same (account URL, key), which a proof never changes;
// a failure is not cached, so a transient CA error is retried next time.
type accountProof struct {
	core *api.Core // signs with the account key; its client follows no redirect
	url  string

	mu     sync.Mutex
	proven bool
}

// newAccountProof builds the proof for url, signing with key, over a copy
// of hc that follows no redirect.
func newAccountProof(hc *http.Client, userAgent, dirURL, url string, key crypto.PrivateKey) (*accountProof, error) {
	noRedirect := *hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	core, err := api.New(&noRedirect, userAgent, dirURL, url, key)
	if err != nil {
		return nil, err
	}

	return &accountProof{core: core, url: url}, nil
}

// prove runs the check once per process and account key; ctx bounds the
// wait for another caller's check in progress only (lego's API takes no
// context).
func (p *accountProof) prove(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}

	p.mu.Lock()
	defer p.mu.Unlock()

	if p.proven {
		return nil
	}

	// lego's AccountService.Get is a POST-as-GET: a JWS whose payload is
	// the empty string (RFC 8555 §6.3), signed with kid = the account URL.
	acct, err := p.core.Accounts.Get(p.url)
	if err != nil {
		return fmt.Errorf("%w: checking account %s before publishing a record that names it: %w; nothing was published",
			ErrAccountNotValid, p.url, err)
	}

	if acct.Status != acme.StatusValid {
		status := acct.Status
		if status == "" {
			status = "(none: the answer is not an account object; did the URL redirect?)"
		}

		return fmt.Errorf("%w: account %s has status %q at the CA, so a record naming it would authorize nothing (draft-02 §9.4); nothing was published. Create a new account (a new --email or --path with lego-persist) and publish its record instead",
			ErrAccountNotValid, p.url, status)
	}

	p.proven = true

	return nil
}
