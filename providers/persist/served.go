package persist

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/lego-persist/lego-persist/internal/wait"
)

// ServedCheck returns the check a publisher that waits for a person (the
// manual publisher) polls: whether every server the options make
// lego-persist ask — the zone's authoritative servers, or the resolvers
// with WithAuthoritativeCheck(false) — serves value in the TXT set at fqdn.
// A server that fails makes it report its error; an empty answer, false.
func ServedCheck(opts ...Option) (func(ctx context.Context, fqdn, value string) (bool, error), error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}

	dns, err := o.dnsClient()
	if err != nil {
		return nil, err
	}

	return func(ctx context.Context, fqdn, value string) (bool, error) {
		answers, err := dns.LookupTXT(ctx, fqdn)
		if err != nil {
			return false, err
		}

		for _, a := range answers {
			if a.Err != nil {
				return false, a.Err
			}

			if !slices.Contains(a.Values, value) {
				return false, nil
			}
		}

		return len(answers) > 0, nil
	}, nil
}

// AwaitServed waits until every checked server serves value at fqdn (see
// ServedCheck), polling at WithPropagationTimeout's interval for at most
// its timeout, after WithPropagationWait's wait (whose skipCheck makes it
// return after the wait). For tools that publish outside the solver, such
// as a key rollover re-publishing draft-02 values.
func AwaitServed(ctx context.Context, fqdn, value string, opts ...Option) error {
	o, err := buildOptions(opts)
	if err != nil {
		return err
	}

	served, err := ServedCheck(opts...)
	if err != nil {
		return err
	}

	var last error

	err = o.propagate(ctx, func(ctx context.Context) bool {
		ok, err := served(ctx, fqdn, value)
		if err != nil {
			last = err
		}

		return ok
	})

	switch {
	case !errors.Is(err, errNotServed):
		return err
	case last != nil:
		return fmt.Errorf("%s is not served by every server after %s: %w", fqdn, o.propagationTimeout, last)
	default:
		return fmt.Errorf("%s is not served by every server after %s", fqdn, o.propagationTimeout)
	}
}

// errNotServed is propagate's "the timeout passed (or ctx ended) before
// every server served the record".
var errNotServed = errors.New("not served")

// propagate is the one wait for a written record: WithPropagationWait's
// time first (with skipCheck that is all), then served every
// WithPropagationTimeout interval until it reports true (nil) or the
// timeout passes or ctx ends (errNotServed). An error of the first wait
// (ctx ended) is returned as is.
func (o *options) propagate(ctx context.Context, served func(context.Context) bool) error {
	if o.propagationWait > 0 {
		if err := wait.Sleep(ctx, o.propagationWait); err != nil || o.skipCheck {
			return err
		}
	}

	ctx, cancel := context.WithTimeout(ctx, o.propagationTimeout)
	defer cancel()

	for !served(ctx) {
		if err := wait.Sleep(ctx, o.propagationInterval); err != nil {
			return errNotServed
		}
	}

	return nil
}
