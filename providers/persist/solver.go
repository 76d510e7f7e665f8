package persist

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/draft"
	"github.com/lego-persist/lego-persist/internal/record"
)

const challengeType = draft.ChallengeType

// fallbackSolver is lego's own prober over client.Challenge.
type fallbackSolver interface {
	Solve(authorizations []acme.Authorization) error
}

// solver is the resolver handed to lego's certificate.Certifier. It solves
// dns-persist-01 authorizations itself, all of one order concurrently, and
// hands the others to lego's prober.
type solver struct {
	core     *api.Core
	capture  *capture
	fallback fallbackSolver
	pub      Publisher
	dns      *dnsq.Client
	acct     draft.Account
	proof    *accountProof
	meta     draft.Meta
	// published lists the record names written during the current Solve,
	// so that a failure elsewhere in the order does not read as "nothing
	// was written".
	published names
	opts      options
}

// task is one dns-persist-01 authorization to solve.
type task struct {
	domain   string // identifier as the CA wrote it, "*." for wildcards (for messages)
	base     string // normalized name without "*."
	wildcard bool
	chURL    string
	authz    acme.Authorization
}

// group gathers the authorizations that share one record name
// (example.com and *.example.com): they get at most one write between them.
type group struct {
	name     string // record name, with trailing dot
	base     string
	wildcard bool
	tasks    []task
}

// Solve implements lego's certificate resolver interface.
func (s *solver) Solve(authorizations []acme.Authorization) error {
	ctx := s.opts.ctx
	fails := &failures{}

	groups, others := groupAuthorizations(authorizations, fails)

	var (
		wg       sync.WaitGroup
		handover = &legoQueue{}
	)

	for _, authz := range others {
		handover.add(authz, nil)
	}

	for _, g := range groups {
		wg.Go(func() { s.solveGroup(ctx, g, handover, fails) })
	}

	wg.Wait()

	// One call of lego's prober for everything dns-persist-01 does not
	// solve: its solvers (an http-01 server on one port, dns-01's shared
	// propagation wait) expect all authorizations of an order at once.
	s.solveWithLego(handover, fails)

	err := fails.err()
	if written := s.published.take(); err != nil && len(written) > 0 {
		err = fmt.Errorf("%w\nrecords were published in this run at %s: they stay, and a run again writes nothing for them",
			err, strings.Join(written, ", "))
	}

	return err
}

// names is a list of record names safe for concurrent use.
type names struct {
	mu   sync.Mutex
	list []string
}

func (n *names) add(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()

	n.list = append(n.list, name)
}

// take returns the names, sorted, and empties the list.
func (n *names) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()

	out := n.list
	n.list = nil

	sort.Strings(out)

	return out
}

// groupAuthorizations sorts an order's authorizations: those already valid
// are dropped (just-in-time validation or reuse: nothing to answer), those
// offering dns-persist-01 are grouped by record name (example.com and
// *.example.com share one record, which then needs policy=wildcard), and
// the rest are returned for lego's solvers. An identifier that gives no
// record name fails its domain in fails.
func groupAuthorizations(authorizations []acme.Authorization, fails *failures) (map[string]*group, []acme.Authorization) {
	var others []acme.Authorization

	groups := map[string]*group{}

	for _, authz := range authorizations {
		domain := challenge.GetTargetedDomain(authz)

		if authz.Status == acme.StatusValid {
			log.Infof("[%s] dns-persist-01: authorization already valid; nothing to do", domain)
			continue
		}

		ch, ok := findChallenge(authz, challengeType)
		if !ok {
			others = append(others, authz)
			continue
		}

		name, err := record.RecordName(authz.Identifier.Value)
		if err != nil {
			fails.add(domain, fmt.Errorf("invalid identifier: %w", err))
			continue
		}

		base := strings.TrimSuffix(strings.TrimPrefix(name, record.Label+"."), ".")

		g := groups[name]
		if g == nil {
			g = &group{name: name, base: base}
			groups[name] = g
		}

		g.wildcard = g.wildcard || authz.Wildcard
		g.tasks = append(g.tasks, task{domain: domain, base: base, wildcard: authz.Wildcard, chURL: ch.URL, authz: authz})
	}

	return groups, others
}

func (s *solver) solveGroup(ctx context.Context, g *group, handover *legoQueue, fails *failures) {
	plans := make([]plan, 0, len(g.tasks))

	for _, t := range g.tasks {
		p, err := s.plan(t)
		if err != nil {
			fails.add(t.domain, err)
			continue
		}

		if p.done {
			continue
		}

		plans = append(plans, p)
	}

	if len(plans) == 0 {
		return
	}

	want, err := wantFor(g, plans, s.opts.now().Add(s.opts.validationTimeout))
	if err != nil {
		fails.addAll(plans, err)
		return
	}

	if err := s.ensureRecord(ctx, g, want, plans[0]); err != nil {
		var missing *missingRecordError
		if errors.As(err, &missing) && !s.opts.strictReadOnly {
			for _, p := range plans {
				log.Infof("[%s] no valid record at %s and no dns-persist-01 publisher: handing the authorization to the solvers configured on client.Challenge",
					p.task.domain, missing.name)
				handover.add(p.task.authz, missing)
			}

			return
		}

		fails.addAll(plans, err)

		return
	}

	var wg sync.WaitGroup
	for _, p := range plans {
		wg.Go(func() {
			if err := s.validate(ctx, p); err != nil {
				fails.add(p.task.domain, err)
			}
		})
	}

	wg.Wait()
}

// wantFor is what a record at g's name must satisfy for every plan of the
// group: an issuer every challenge offers (in the CA's order, so the first
// is the one to write), one of the account's accounturi values,
// policy=wildcard when any name of the group is a wildcard, and a
// persistUntil not before at. at is now plus the validation timeout: the
// persistUntil pre-flight, since a record that stops being usable before
// the CA can have validated it counts as missing.
func wantFor(g *group, plans []plan, at time.Time) (record.Want, error) {
	want := record.Want{
		Issuers:     plans[0].issuers,
		AccountURIs: plans[0].accountURIs,
		Wildcard:    g.wildcard,
		At:          at,
	}

	for _, p := range plans[1:] {
		want.Issuers = intersect(want.Issuers, p.issuers)
	}

	if len(want.Issuers) == 0 {
		return record.Want{}, fmt.Errorf("%s: the challenges of this order offer no common issuer-domain-name", g.name)
	}

	return want, nil
}

// plan is a decoded, validated challenge and what a record must hold for it.
type plan struct {
	task        task
	chlg        draft.Challenge
	authzURL    string
	issuers     []string // acceptable issuer names, in the CA's order
	accountURIs []string // acceptable accounturi values; [0] is the one to write
	done        bool     // challenge already valid
}

func (s *solver) plan(t task) (plan, error) {
	raw, authzURL, ok := s.capture.challenge(t.chURL)
	if !ok {
		// Not seen on the wire (should not happen: lego fetched the
		// authorization through our transport). Fetch it once.
		if _, err := s.core.Challenges.Get(t.chURL); err != nil {
			return plan{}, fmt.Errorf("fetching the %s challenge: %w", challengeType, err)
		}

		if raw, authzURL, ok = s.capture.challenge(t.chURL); !ok {
			return plan{}, fmt.Errorf("the CA's %s challenge at %s could not be read", challengeType, t.chURL)
		}
	}

	chlg, err := draft.DecodeChallenge(raw, s.meta)
	if err != nil {
		return plan{}, fmt.Errorf("refusing the CA's challenge, nothing was written (if the CA changed its directory just now, run again; otherwise report this to the CA): %w", err)
	}

	log.Infof("[%s] dns-persist-01: CA speaks %s, offers issuers %s", t.domain, chlg.Version, strings.Join(chlg.IssuerDomainNames, ", "))

	p := plan{task: t, chlg: chlg, authzURL: authzURL, issuers: chlg.IssuerDomainNames}

	if chlg.Status == acme.StatusValid {
		p.done = true
		return p, nil
	}

	if s.opts.issuer != "" {
		if !slices.Contains(chlg.IssuerDomainNames, s.opts.issuer) {
			return plan{}, fmt.Errorf("issuer-domain-name %q is not offered by the CA (it offers: %s)",
				s.opts.issuer, strings.Join(chlg.IssuerDomainNames, ", "))
		}

		p.issuers = []string{s.opts.issuer}
	}

	switch chlg.Version {
	case draft.Draft01:
		if chlg.AccountURI != s.acct.URL && !s.opts.allowForeignAccount {
			return plan{}, fmt.Errorf("the challenge's accounturi %q is not this account's URL %q: a record with it would authorize another account; nothing was written (allow it explicitly with WithForeignAccountURI / --dns-persist.allow-foreign-account only if you know why they differ)",
				chlg.AccountURI, s.acct.URL)
		}

		p.accountURIs = []string{chlg.AccountURI}
	default:
		uris, err := s.opts.accountURIs(chlg.Version, s.meta, s.acct, t.base)
		if err != nil {
			return plan{}, err
		}

		p.accountURIs = uris
	}

	return p, nil
}

func findChallenge(authz acme.Authorization, typ string) (acme.Challenge, bool) {
	for _, ch := range authz.Challenges {
		if ch.Type == typ {
			return ch, true
		}
	}

	return acme.Challenge{}, false
}

func offered(authz acme.Authorization) []string {
	types := make([]string, 0, len(authz.Challenges))
	for _, ch := range authz.Challenges {
		types = append(types, ch.Type)
	}

	sort.Strings(types)

	return types
}

func intersect(a, b []string) []string {
	var out []string

	for _, s := range a {
		if slices.Contains(b, s) {
			out = append(out, s)
		}
	}

	return out
}

// failures collects per-domain errors from concurrent work.
type failures struct {
	mu   sync.Mutex
	errs map[string]error
}

func (f *failures) add(domain string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	if f.errs == nil {
		f.errs = map[string]error{}
	}

	f.errs[domain] = err
}

func (f *failures) addAll(plans []plan, err error) {
	for _, p := range plans {
		f.add(p.task.domain, err)
	}
}

func (f *failures) err() error {
	f.mu.Lock()
	defer f.mu.Unlock()

	if len(f.errs) == 0 {
		return nil
	}

	domains := make([]string, 0, len(f.errs))
	for d := range f.errs {
		domains = append(domains, d)
	}

	sort.Strings(domains)

	errs := make([]error, 0, len(domains))
	for _, d := range domains {
		errs = append(errs, &DomainError{Domain: d, Err: f.errs[d]})
	}

	return errors.Join(errs...)
}

// DomainError is the failure of one name of an order.
type DomainError struct {
	Domain string
	Err    error
}

func (e *DomainError) Error() string { return "[" + e.Domain + "] " + e.Err.Error() }

func (e *DomainError) Unwrap() error { return e.Err }
