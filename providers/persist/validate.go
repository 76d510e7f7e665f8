package persist

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/log"
	"github.com/lego-persist/lego-persist/internal/wait"
)

// Polling of an authorization when the CA sends no Retry-After: start short
// (validation of a standing record takes one DNS query at the CA) and back
// off.
const (
	pollStart = 50 * time.Millisecond
	pollMax   = 2 * time.Second
)

// validate answers the challenge and polls the authorization until the CA
// decides.
func (s *solver) validate(ctx context.Context, p plan) error {
	defer s.capture.forget(p.task.chURL, p.authzURL)

	ctx, cancel := context.WithTimeout(ctx, s.opts.validationTimeout)
	defer cancel()

	ch, err := s.core.Challenges.New(p.task.chURL)
	if err != nil {
		return fmt.Errorf("answering the %s challenge: %w", challengeType, err)
	}

	switch ch.Status {
	case acme.StatusValid:
		log.Infof("[%s] dns-persist-01: the CA validated the record", p.task.domain)
		return nil
	case acme.StatusInvalid:
		return caRejected(ch.Error)
	}

	authzURL := p.authzURL
	if ch.AuthorizationURL != "" {
		authzURL = ch.AuthorizationURL
	}

	if authzURL == "" {
		return errors.New("the CA gave no authorization URL to poll")
	}

	delay := retryAfter(ch.RetryAfter, pollStart)

	var lastErr error

	for {
		if err := wait.Sleep(ctx, delay); err != nil {
			if lastErr != nil {
				return fmt.Errorf("the CA did not finish validating within %s; last poll: %w", s.opts.validationTimeout, lastErr)
			}

			return fmt.Errorf("the CA did not finish validating within %s", s.opts.validationTimeout)
		}

		authz, err := s.core.Authorizations.Get(authzURL)
		if err != nil {
			// Polling is a read: a rate limit, a server error or a broken
			// connection is retried (after the CA's Retry-After) until the
			// validation timeout instead of failing the order.
			wait, ok := transient(err)
			if !ok {
				return fmt.Errorf("polling the authorization: %w", err)
			}

			log.Infof("[%s] dns-persist-01: polling the authorization: %v; retrying", p.task.domain, err)

			lastErr = err
			delay = max(wait, min(delay*2, pollMax))

			continue
		}

		lastErr = nil

		switch authz.Status {
		case acme.StatusValid:
			log.Infof("[%s] dns-persist-01: the CA validated the record", p.task.domain)
			return nil
		case acme.StatusPending, acme.StatusProcessing:
		case acme.StatusInvalid:
			return caRejected(problemOf(authz))
		default:
			return fmt.Errorf("the authorization became %s", authz.Status)
		}

		next := min(delay*2, pollMax)
		delay = retryAfter(s.capture.lastRetryAfter(authzURL), next)
	}
}

// transient tells whether a failed authorization poll may be retried, and
// how long the CA asked to wait (0: not said): rate limits (RFC 8555 §6.6),
// server errors (5xx) and transport failures.
func transient(err error) (time.Duration, bool) {
	var rl *acme.RateLimitedError
	if errors.As(err, &rl) {
		return retryAfter(rl.RetryAfter, 0), true
	}

	var pd *acme.ProblemDetails
	if errors.As(err, &pd) {
		return 0, pd.HTTPStatus >= http.StatusInternalServerError
	}

	var ue *url.Error

	return 0, errors.As(err, &ue)
}

// retryAfter follows the CA's Retry-After when it sends a usable one.
func retryAfter(header string, otherwise time.Duration) time.Duration {
	d, err := api.ParseRetryAfter(header)
	if err != nil || d <= 0 {
		return otherwise
	}

	return d
}

func problemOf(authz acme.Authorization) *acme.ProblemDetails {
	for _, ch := range authz.Challenges {
		if ch.Type == challengeType && ch.Error != nil {
			return ch.Error
		}
	}

	for _, ch := range authz.Challenges {
		if ch.Error != nil {
			return ch.Error
		}
	}

	return nil
}

// CAError is the CA's verdict on a dns-persist-01 validation.
type CAError struct {
	Problem acme.ProblemDetails
}

func (e *CAError) Error() string {
	var b strings.Builder

	b.WriteString("the CA rejected the dns-persist-01 validation: ")
	b.WriteString(e.Problem.Type)

	if e.Problem.Detail != "" {
		b.WriteString(": " + e.Problem.Detail)
	}

	for _, sub := range e.Problem.SubProblems {
		fmt.Fprintf(&b, "; %s: %s", sub.Type, sub.Detail)
	}

	return b.String()
}

func caRejected(p *acme.ProblemDetails) error {
	if p == nil {
		return errors.New("the CA marked the authorization invalid without a problem document")
	}

	return &CAError{Problem: *p}
}
