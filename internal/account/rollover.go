package account

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"time"

	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/storage"
)

// Rollover is one key change of a stored account.
type Rollover struct {
	// Client is the CA.
	Client *Client
	// Store is the account's storage (lego's layout).
	Store *storage.AccountStore
	// URL is the account URL.
	URL string
	// OldKey is the account's current key.
	OldKey crypto.PrivateKey
	// NewKey replaces it.
	NewKey crypto.PrivateKey
	// AfterAccept, when set, runs right after the CA accepted the new key
	// and before the new key is installed on disk (a test hook: a process
	// killed there must be recoverable).
	AfterAccept func()
}

// Result says what a rollover or a recovery did.
type Result struct {
	// OldThumbprint and NewThumbprint are the RFC 7638 thumbprints of the
	// key replaced and of the account's key now.
	OldThumbprint, NewThumbprint string
	// Recovered is true when a journaled key of an earlier, interrupted
	// rollover was found current at the CA and installed.
	Recovered bool
}

// Run performs the rollover so that no crash loses the account:
//
//  1. the new key is journaled (keys/<email>.key.next, 0600, atomically);
//  2. the CA is asked to change the key (RFC 8555 §7.3.5);
//  3. the old key's thumbprint goes to the key history, the new key replaces
//     keys/<email>.key atomically, the journal is removed.
//
// A process that dies after 1 is finished by Recover. When step 2 fails,
// the CA is asked which key is current: if the old one, the journal is
// removed and the error returned; if that cannot be told (the CA is
// unreachable), the journal stays for Recover.
func (r *Rollover) Run(ctx context.Context) (Result, error) {
	oldTP, err := draft.Thumbprint(r.OldKey)
	if err != nil {
		return Result{}, err
	}

	newTP, err := draft.Thumbprint(r.NewKey)
	if err != nil {
		return Result{}, err
	}

	res := Result{OldThumbprint: oldTP, NewThumbprint: newTP}

	if err := r.Store.WriteNextKey(r.NewKey); err != nil {
		return res, err
	}

	if err := r.Client.ChangeKey(ctx, r.URL, r.OldKey, r.NewKey); err != nil {
		owner, _, lookErr := r.Client.KeyOwner(ctx, r.NewKey)

		switch {
		case lookErr == nil && owner == r.URL:
			// The CA took the key although its answer was lost.
		case errors.Is(lookErr, ErrNoAccount) || (lookErr == nil && owner != r.URL):
			if dErr := r.Store.DiscardNextKey(); dErr != nil {
				return res, errors.Join(err, dErr)
			}

			return res, fmt.Errorf("%w; the account keeps its old key", err)
		default:
			return res, fmt.Errorf("%w; whether the CA took the new key is unknown: it is kept in %s and the next run asks the CA",
				err, r.Store.NextKeyPath())
		}
	}

	if r.AfterAccept != nil {
		r.AfterAccept()
	}

	if err := r.Store.InstallKey(r.NewKey, r.URL, prior(oldTP, r.OldKey)); err != nil {
		return res, fmt.Errorf("the CA accepted the new key but it could not be stored (it is in %s; the next run installs it): %w",
			r.Store.NextKeyPath(), err)
	}

	return res, nil
}

func prior(thumbprint string, key crypto.PrivateKey) storage.PriorKey {
	return storage.PriorKey{Thumbprint: thumbprint, KeyType: string(KeyType(key)), Retired: time.Now().UTC()}
}

// ErrRolloverPending means an earlier rollover journaled a new key that the
// CA has not taken: the account still uses its stored key.
var ErrRolloverPending = errors.New("an interrupted key rollover left a new key that the CA has not taken")

// Recover finishes a rollover that an earlier process left unfinished. It
// does nothing (zero Result, nil) when there is no journaled key. When the
// CA says the journaled key is the account's, it is installed (as Run's
// step 3) and the Result has Recovered set and the new key in key. When the
// CA still has the old key, the journal is left in place and the error
// wraps ErrRolloverPending: 'account rollover' retries with it, other
// commands go on with the old key. Call it holding the --path lock when you
// can; an install is safe to repeat either way.
func Recover(ctx context.Context, c *Client, as *storage.AccountStore, url string, oldKey crypto.PrivateKey) (res Result, key crypto.PrivateKey, err error) {
	next, err := as.ReadNextKey()
	if err != nil || next == nil {
		return Result{}, nil, err
	}

	oldTP, err := draft.Thumbprint(oldKey)
	if err != nil {
		return Result{}, nil, err
	}

	newTP, err := draft.Thumbprint(next)
	if err != nil {
		return Result{}, nil, err
	}

	res = Result{OldThumbprint: oldTP, NewThumbprint: newTP}

	if oldTP == newTP {
		// Installed, but the journal was not removed yet.
		return res, nil, as.DiscardNextKey()
	}

	owner, deactivated, err := c.KeyOwner(ctx, next)

	switch {
	case err == nil && deactivated && owner == "":
		return res, nil, fmt.Errorf("the CA says the account of the journaled key %s is deactivated; "+
			"the account cannot be used any more", as.NextKeyPath())
	case errors.Is(err, ErrNoAccount):
		return res, nil, fmt.Errorf("%w (%s)", ErrRolloverPending, as.NextKeyPath())
	case err != nil:
		return res, nil, fmt.Errorf("finish the interrupted key rollover: %w", err)
	case owner != url:
		return res, nil, fmt.Errorf("the journaled key %s belongs to account %s, not %s: move it away and check your --path",
			as.NextKeyPath(), owner, url)
	}

	if err := as.InstallKey(next, url, prior(oldTP, oldKey)); err != nil {
		return res, nil, fmt.Errorf("finish the interrupted key rollover: %w", err)
	}

	res.Recovered = true

	return res, next, nil
}
