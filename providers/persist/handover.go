package persist

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/challenge"
)

// This file hands authorizations to lego's own solvers: those that offer
// no dns-persist-01, and, for a client without a Publisher, those whose
// record is missing (PRODUCT.md §2's solver order).

// legoQueue collects the authorizations handed to lego's prober, with the
// record that is missing for each (nil: the CA offers no dns-persist-01).
type legoQueue struct {
	mu      sync.Mutex
	authzs  []acme.Authorization
	missing []*missingRecordError
}

func (q *legoQueue) add(authz acme.Authorization, missing *missingRecordError) {
	q.mu.Lock()
	defer q.mu.Unlock()

	q.authzs = append(q.authzs, authz)
	q.missing = append(q.missing, missing)
}

// solveWithLego hands the queued authorizations to the solvers configured
// on client.Challenge (lego's prober). When lego cannot solve one, the name
// fails with what the CA offered and, where dns-persist-01 was offered, the
// record to publish.
func (s *solver) solveWithLego(q *legoQueue, fails *failures) {
	if len(q.authzs) == 0 {
		return
	}

	err := s.fallback.Solve(q.authzs)
	if err == nil {
		return
	}

	for i, authz := range q.authzs {
		domain := challenge.GetTargetedDomain(authz)
		legoErr := legoErrorFor(err, domain)

		if m := q.missing[i]; m != nil {
			fails.add(domain, &fallbackError{missing: m, offered: offered(authz), err: legoErr})
			continue
		}

		fails.add(domain, fmt.Errorf(
			"the CA offers no %s for this name (it offers: %s); a fallback solver (http-01, tls-alpn-01 or dns-01) must be configured on client.Challenge: %w",
			challengeType, strings.Join(offered(authz), ", "), legoErr))
	}
}

// legoErrorFor narrows an error of lego's prober to one domain. The prober
// reports "one or more domains had a problem:" followed by one "[domain]
// cause" line per failed name; the result keeps err in its chain.
func legoErrorFor(err error, domain string) error {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) && len(joined.Unwrap()) == 1 {
		return joined.Unwrap()[0]
	}

	prefix := "[" + domain + "] "
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if cause, ok := strings.CutPrefix(line, prefix); ok {
			return &narrowedError{msg: cause, err: err}
		}
	}

	return err
}

// narrowedError shows one domain's part of a multi-domain error.
type narrowedError struct {
	msg string
	err error
}

func (e *narrowedError) Error() string { return e.msg }

func (e *narrowedError) Unwrap() error { return e.err }
