package persist

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lego-persist/lego-persist/internal/record"
)

// Default timings. They are deliberately short: with dns-persist-01 the only
// wait is for a record that was just written, and renewals wait for nothing.
const (
	DefaultPropagationTimeout  = 2 * time.Minute
	DefaultPropagationInterval = 250 * time.Millisecond
	DefaultDNSTimeout          = 5 * time.Second
	DefaultValidationTimeout   = 2 * time.Minute
)

// Option configures Enable.
type Option func(*options) error

type options struct {
	issuer              string
	persistUntil        time.Time
	wildcardPolicy      bool
	resolvers           []string
	authoritative       bool
	propagationTimeout  time.Duration
	propagationInterval time.Duration
	propagationWait     time.Duration
	skipCheck           bool
	dnsTimeout          time.Duration
	validationTimeout   time.Duration
	allowForeignAccount bool
	anyDomain           bool
	strictReadOnly      bool
	priorKeys           []string
	recordTTL           uint32
	persistFor          time.Duration
	cnameSupport        bool
	refreshBefore       time.Duration
	warnWithin          time.Duration
	now                 func() time.Time
	ctx                 context.Context //nolint:containedctx // lego's resolver interface carries none.
}

func defaultOptions() options {
	return options{
		authoritative:       true,
		propagationTimeout:  DefaultPropagationTimeout,
		propagationInterval: DefaultPropagationInterval,
		dnsTimeout:          DefaultDNSTimeout,
		validationTimeout:   DefaultValidationTimeout,
		recordTTL:           DefaultRecordTTL,
		cnameSupport:        os.Getenv(envDisableCNAME) != "true",
		now:                 time.Now,
		ctx:                 context.Background(),
	}
}

// WithIssuerDomainName makes the solver use this issuer-domain-name. The CA
// must offer it in the challenge, otherwise the authorization fails before
// anything is written.
func WithIssuerDomainName(name string) Option {
	return func(o *options) error { o.issuer = name; return nil }
}

// WithPersistUntil writes persistUntil=<t> into records the solver creates.
// After t the CA no longer accepts the record for new validations.
func WithPersistUntil(t time.Time) Option {
	return func(o *options) error { o.persistUntil = t; return nil }
}

// WithWildcardPolicy writes policy=wildcard for plain names too, so that one
// record also covers *.name and every name below it. Wildcard authorizations
// always get policy=wildcard.
func WithWildcardPolicy() Option {
	return func(o *options) error { o.wildcardPolicy = true; return nil }
}

// WithResolvers sets the recursive resolvers (host:port) used for zone
// discovery and, with WithAuthoritativeCheck(false), for record checks. The
// default is the system's resolv.conf.
func WithResolvers(servers ...string) Option {
	return func(o *options) error { o.resolvers = append([]string(nil), servers...); return nil }
}

// WithAuthoritativeCheck chooses where records are checked: true (the
// default) asks every authoritative server of the zone directly; false asks
// the resolvers only.
func WithAuthoritativeCheck(enabled bool) Option {
	return func(o *options) error { o.authoritative = enabled; return nil }
}

// WithPropagationTimeout bounds the wait for a newly written record to be
// served by every server checked, polling every interval. It is only spent
// when a record was written.
func WithPropagationTimeout(timeout, interval time.Duration) Option {
	return func(o *options) error { o.propagationTimeout = timeout; o.propagationInterval = interval; return nil }
}

// WithPropagationWait waits wait after a record was written before its
// propagation is checked (WithPropagationTimeout bounds the check), as
// lego's dns01.PropagationWait does; with skipCheck it does not check at
// all (for DNS setups that cannot be queried directly). Nothing is waited
// for when nothing was written.
func WithPropagationWait(wait time.Duration, skipCheck bool) Option {
	return func(o *options) error {
		if wait < 0 {
			return fmt.Errorf("WithPropagationWait: negative wait %s", wait)
		}

		if skipCheck && wait == 0 {
			return errors.New("WithPropagationWait: skipping the check needs a wait")
		}

		o.propagationWait, o.skipCheck = wait, skipCheck

		return nil
	}
}

// WithDNSTimeout sets the timeout of each DNS query.
func WithDNSTimeout(d time.Duration) Option {
	return func(o *options) error { o.dnsTimeout = d; return nil }
}

// WithValidationTimeout bounds the wait for the CA to validate one
// authorization after the challenge was answered.
func WithValidationTimeout(d time.Duration) Option {
	return func(o *options) error { o.validationTimeout = d; return nil }
}

// WithForeignAccountURI accepts a challenge whose accounturi differs from
// this client's account URL. Without it such a challenge is refused before
// anything is written: the record would authorize another account.
func WithForeignAccountURI() Option {
	return func(o *options) error { o.allowForeignAccount = true; return nil }
}

// WithAnyDomainAccountURI makes records for draft-02 CAs use the
// domain-omitted accounturi form ("*"): one value is then valid for every
// domain of the account, which lets anyone who reads the records link those
// domains to one account. The default binds each value to its domain.
func WithAnyDomainAccountURI() Option {
	return func(o *options) error { o.anyDomain = true; return nil }
}

// WithPriorAccountKeys names the RFC 7638 thumbprints (base64url) of the
// account's earlier keys, from before key rollovers. A draft-02 CA keeps
// accepting values hashed with any of them until the account is
// deactivated (draft-02 §4.2), so such a record counts as valid and nothing
// is written. New records always use the current key.
func WithPriorAccountKeys(thumbprints ...string) Option {
	return func(o *options) error {
		for _, tp := range thumbprints {
			if len(tp) != 43 {
				return fmt.Errorf("WithPriorAccountKeys: %q is not a base64url SHA-256 thumbprint (43 characters)", tp)
			}
		}

		o.priorKeys = append([]string(nil), thumbprints...)

		return nil
	}
}

// envDisableCNAME is lego's switch for CNAME following of challenge
// records; lego-persist honours it for _validation-persist names.
const envDisableCNAME = "LEGO_DISABLE_CNAME_SUPPORT"

// WithCNAMESupport chooses where a record is published when its name is a
// CNAME (chain): at the chain's end (true, the default, as lego's dns-01
// does for _acme-challenge, and as the CA follows it) or at the name itself
// (false, which an RFC 2136 server refuses). The default also follows
// lego's LEGO_DISABLE_CNAME_SUPPORT=true.
func WithCNAMESupport(enabled bool) Option {
	return func(o *options) error { o.cnameSupport = enabled; return nil }
}

// WithPersistFor writes persistUntil = now + d into the records the solver
// and Records create (a rolling persistUntil; compare WithPersistUntil, a
// fixed instant). With WithRefreshBefore, renewals replace the record
// before it runs out.
func WithPersistFor(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithPersistFor: %s is not positive", d)
		}

		o.persistFor = d

		return nil
	}
}

// WithRefreshBefore makes the solver replace a valid record of this
// account whose persistUntil comes within d: it publishes a fresh value
// (persistUntil from WithPersistFor), waits until every server serves it,
// then removes the old value of this account (other values stay). When
// nothing is due, nothing is written. It needs WithPersistFor and a
// Publisher (removing the old value needs Unpublish).
func WithRefreshBefore(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("WithRefreshBefore: %s is not positive", d)
		}

		o.refreshBefore = d

		return nil
	}
}

// WithRecordTTL sets the TTL of the zone-file lines lego-persist prints
// (Records, read-only errors); DefaultRecordTTL when not set.
func WithRecordTTL(seconds uint32) Option {
	return func(o *options) error {
		if seconds == 0 || seconds > 1<<31-1 {
			return fmt.Errorf("WithRecordTTL: %d is not between 1 and 2147483647 seconds", seconds)
		}

		o.recordTTL = seconds

		return nil
	}
}

// WithWarnWithin makes Check report a usable record whose persistUntil is
// closer than d as expiring (0, the default: never).
func WithWarnWithin(d time.Duration) Option {
	return func(o *options) error { o.warnWithin = d; return nil }
}

// WithStrictReadOnly keeps a read-only client (Enable with a nil
// Publisher) from handing names without a valid record to the solvers on
// client.Challenge: such a name then fails with ErrRecordMissing and the
// record to publish, even when http-01 or dns-01 could have solved it.
func WithStrictReadOnly() Option {
	return func(o *options) error { o.strictReadOnly = true; return nil }
}

func (o *options) validate() error {
	if o.issuer != "" {
		if err := record.ValidateIssuerDomainName(o.issuer); err != nil {
			return fmt.Errorf("issuer-domain-name %q: %w", o.issuer, err)
		}
	}

	if o.propagationTimeout <= 0 || o.propagationInterval <= 0 {
		return errors.New("propagation timeout and interval must be positive")
	}

	if o.dnsTimeout <= 0 {
		return errors.New("DNS timeout must be positive")
	}

	if o.validationTimeout <= 0 {
		return errors.New("validation timeout must be positive")
	}

	if o.persistFor > 0 && !o.persistUntil.IsZero() {
		return errors.New("WithPersistFor and WithPersistUntil exclude each other: choose a rolling or a fixed persistUntil")
	}

	if o.refreshBefore > 0 && o.persistFor == 0 {
		return errors.New("WithRefreshBefore needs WithPersistFor (the new record's lifetime)")
	}

	if o.refreshBefore >= o.persistFor && o.persistFor > 0 && o.refreshBefore > 0 {
		return fmt.Errorf("WithRefreshBefore %s must be shorter than WithPersistFor %s, or every run would replace the record", o.refreshBefore, o.persistFor)
	}

	if !o.persistUntil.IsZero() && !o.persistUntil.After(o.now()) {
		return fmt.Errorf("persistUntil %s is not in the future", o.persistUntil.UTC().Format(time.RFC3339))
	}

	return nil
}

// WithContext bounds every DNS query, record write, propagation wait and
// validation poll of the solver by ctx: cancel it to abandon the orders in
// progress (lego's Obtain and Renew take no context of their own). Requests
// to the CA follow cfg.HTTPClient as usual.
func WithContext(ctx context.Context) Option {
	return func(o *options) error {
		if ctx == nil {
			return errors.New("WithContext: nil context")
		}

		o.ctx = ctx

		return nil
	}
}
