package persist

import (
	"context"
	"slices"
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
