package persist

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/dnsq"
	"github.com/lego-persist/lego-persist/internal/record"
)

// ErrRecordMissing marks a read-only run (no Publisher) that found no valid
// record. Its message carries the zone-file line to publish.
var ErrRecordMissing = errors.New("no valid dns-persist-01 record")

// ensureRecord makes sure every checked server serves a record that
// satisfies want: nothing is written when one already does; otherwise
// exactly one value is published and its propagation awaited.
func (s *solver) ensureRecord(ctx context.Context, g *group, want record.Want, p plan) error {
	state, err := s.check(ctx, g.name, want)
	if err != nil {
		// A failed check is not a missing record: writing now could add a
		// second record each time a resolver fails.
		return fmt.Errorf("%w; nothing was written for this name: run again later, or check the resolvers", err)
	}

	switch {
	case state.allOK && s.refreshDue(state.verdict):
		return s.refresh(ctx, g, want, p, state)
	case state.allOK:
		log.Infof("[%s] dns-persist-01: valid record found (%s); no DNS write", g.base, state.verdict.Raw)
		return nil
	case state.anyOK:
		// Already published (by us earlier or by someone else), some
		// server still lags: wait, do not write again.
		log.Infof("[%s] dns-persist-01: record served by some servers only; waiting for the others", g.base)
		return s.awaitPropagation(ctx, g.name, want)
	}

	value := s.opts.value(want.Issuers[0], p.accountURIs[0], want.Wildcard)
	line := record.ZoneLine(g.name, s.opts.recordTTL, value)

	if v := state.verdict; v.Status == record.StatusExpired && v.Value.PersistUntil.After(s.opts.now()) {
		// The persistUntil pre-flight: usable now, but not for as long as
		// the CA may take to validate.
		log.Warnf("[%s] dns-persist-01: the record %q stops being valid at %s, before this validation can finish; treating it as missing",
			g.base, v.Raw, v.Value.PersistUntil.UTC().Format(time.RFC3339))
	}

	// The pre-publication account check comes before the value is shown
	// to anyone: a zone line printed for an operator counts.
	if err := s.proof.prove(ctx); err != nil {
		return err
	}

	if s.pub == nil {
		return &missingRecordError{name: g.name, verdict: state.verdict.describe(), line: line}
	}

	at := s.publishName(g, state)
	if at != g.name {
		log.Infof("[%s] dns-persist-01: %s is a CNAME of %s: publishing there", g.base, g.name, at)
		line = record.ZoneLine(at, s.opts.recordTTL, value)
	}

	log.Infof("[%s] dns-persist-01: %s; publishing %s", g.base, state.verdict.describe(), line)

	if err := s.pub.Publish(ctx, at, value); err != nil {
		return fmt.Errorf("publishing %s: %w", at, err)
	}

	s.published.add(at)

	return s.awaitPropagation(ctx, g.name, want)
}

// refreshDue reports whether a valid record of ours expires within
// WithRefreshBefore: then a fresh value replaces it (rolling persistUntil).
func (s *solver) refreshDue(v verdict) bool {
	until := v.Value.PersistUntil

	return s.opts.refreshBefore > 0 && s.pub != nil && !until.IsZero() && until.Sub(s.opts.now()) < s.opts.refreshBefore
}

// refresh publishes a fresh value (persistUntil from WithPersistFor) beside
// old, a valid value of this account that expires soon, waits until every
// server serves the fresh one, then removes old and nothing else. old
// stays valid meanwhile, so validation never depends on the new write.
func (s *solver) refresh(ctx context.Context, g *group, want record.Want, p plan, state checkState) error {
	old := state.verdict
	value := s.opts.value(want.Issuers[0], p.accountURIs[0], want.Wildcard)

	if err := s.proof.prove(ctx); err != nil {
		return err
	}

	log.Infof("[%s] dns-persist-01: the record %q expires at %s, within --refresh-before %s; publishing %s",
		g.base, old.Raw, old.Value.PersistUntil.UTC().Format(time.RFC3339), s.opts.refreshBefore, value)

	at := s.publishName(g, state)

	if err := s.pub.Publish(ctx, at, value); err != nil {
		return fmt.Errorf("publishing the refreshed record at %s: %w (the current record %q stays valid until %s)",
			at, err, old.Raw, old.Value.PersistUntil.UTC().Format(time.RFC3339))
	}

	s.published.add(at)

	// Only a value that outlives old counts as served.
	fresh := want
	fresh.At = old.Value.PersistUntil.Add(time.Second)

	if err := s.awaitPropagation(ctx, g.name, fresh); err != nil {
		return err
	}

	unpub, ok := s.pub.(Unpublisher)
	if !ok {
		log.Warnf("[%s] dns-persist-01: the publisher cannot delete records; remove the old value by hand: %s",
			g.base, record.ZoneLine(at, s.opts.recordTTL, old.Raw))

		return nil
	}

	if err := unpub.Unpublish(ctx, at, old.Raw); err != nil {
		// The fresh record serves; the old one expires by itself.
		log.Warnf("[%s] dns-persist-01: removing the old value %q: %v (it expires by itself at %s)",
			g.base, old.Raw, err, old.Value.PersistUntil.UTC().Format(time.RFC3339))

		return nil
	}

	log.Infof("[%s] dns-persist-01: removed the old value %q", g.base, old.Raw)

	return nil
}

// missingRecordError is a read-only run's finding: no valid record at name
// and no Publisher to create one. It matches ErrRecordMissing.
type missingRecordError struct {
	name    string
	verdict string
	line    string // the zone-file line to publish
}

func (e *missingRecordError) Error() string {
	return fmt.Sprintf("%s at %s (%s); nothing was written for this name: publish this record, then run again:\n%s",
		ErrRecordMissing, e.name, e.verdict, e.line)
}

func (e *missingRecordError) Is(target error) bool { return target == ErrRecordMissing }

// fallbackError is a missing record that lego's own solvers could not
// replace either.
type fallbackError struct {
	missing *missingRecordError
	offered []string
	err     error
}

func (e *fallbackError) Error() string {
	return fmt.Sprintf("%v\nno other solver took over (the CA offers: %s; configure http-01, tls-alpn-01 or dns-01 on client.Challenge, or --http, --tls, --dns on the command line): %v",
		e.missing, strings.Join(e.offered, ", "), e.err)
}

func (e *fallbackError) Unwrap() []error { return []error{e.missing, e.err} }

type checkState struct {
	allOK, anyOK bool
	verdict      verdict // the first non-ok verdict, or the ok one
	// target is where the answers found the TXT set: the record name, or
	// the end of the CNAME chain starting there.
	target string
}

// publishName is where a record for g is written: the end of the CNAME
// chain at g's name, as lego's dns-01 does for _acme-challenge (the CA
// follows the chain too), unless CNAME support is off
// (WithCNAMESupport(false), LEGO_DISABLE_CNAME_SUPPORT=true).
func (s *solver) publishName(g *group, st checkState) string {
	if s.opts.cnameSupport && st.target != "" {
		return st.target
	}

	return g.name
}

type verdict record.Verdict

func (v verdict) describe() string {
	if v.Reason != "" {
		return string(v.Status) + ": " + v.Reason
	}

	return string(v.Status)
}

// check asks every server (authoritative, or the resolvers) for the TXT set
// at name and evaluates it.
func (s *solver) check(ctx context.Context, name string, want record.Want) (checkState, error) {
	answers, err := s.dns.LookupTXT(ctx, name)
	if err != nil {
		return checkState{}, fmt.Errorf("checking %s: %w", name, err)
	}

	return evaluate(answers, want), nil
}

func evaluate(answers []dnsq.Answer, want record.Want) checkState {
	st := checkState{allOK: len(answers) > 0}

	var failing []string

	for _, a := range answers {
		if a.Err != nil {
			st.allOK = false

			failing = append(failing, a.Err.Error())

			continue
		}

		if st.target == "" {
			st.target = a.Name
		}

		v := verdict(record.Evaluate(a.Values, want))
		if v.Status == record.StatusOK {
			st.anyOK = true

			if st.verdict.Status == "" {
				st.verdict = v
			}

			continue
		}

		st.allOK = false

		if st.verdict.Status == "" || st.verdict.Status == record.StatusOK {
			st.verdict = v
		}
	}

	if st.verdict.Status == "" && len(failing) > 0 {
		st.verdict = verdict{Status: "unreachable", Reason: strings.Join(failing, "; ")}
	}

	return st
}

// awaitPropagation waits WithPropagationWait's time, then (unless the
// check is skipped) polls until every server serves a valid record.
func (s *solver) awaitPropagation(ctx context.Context, name string, want record.Want) error {
	start := time.Now()

	var last checkState

	err := s.opts.propagate(ctx, func(ctx context.Context) bool {
		st, err := s.check(ctx, name, want)
		if err != nil {
			return false
		}

		last = st

		return st.allOK
	})

	switch {
	case errors.Is(err, errNotServed):
		return fmt.Errorf("%s: the record is not served by every server after %s (%s); it was published, re-running later writes nothing",
			name, s.opts.propagationTimeout, last.verdict.describe())
	case err == nil && !s.opts.skipCheck:
		log.Infof("[%s] dns-persist-01: record served after %s", name, time.Since(start).Round(time.Millisecond))
	}

	return err
}
