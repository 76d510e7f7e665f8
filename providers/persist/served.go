package persist

import (
	"context"
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

	if o.propagationWait > 0 {
		if err := wait.Sleep(ctx, o.propagationWait); err != nil || o.skipCheck {
			return err
		}
	}

	served, err := ServedCheck(opts...)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(ctx, o.propagationTimeout)
	defer cancel()

	var last error

	for {
		ok, err := served(ctx, fqdn, value)
		if ok {
			return nil
		}

		if err != nil {
			last = err
		}

		if err := wait.Sleep(ctx, o.propagationInterval); err != nil {
			if last != nil {
				return fmt.Errorf("%s is not served by every server after %s: %w", fqdn, o.propagationTimeout, last)
			}

			return fmt.Errorf("%s is not served by every server after %s", fqdn, o.propagationTimeout)
		}
	}
}
