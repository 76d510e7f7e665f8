package libdnsadapter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
)

// maxCause is how much of a library's error text an Error quotes.
const maxCause = 300

// Error is a failed Publish or Unpublish. Its text is one line: the
// provider, the operation, the record name, the zone, the HTTP status when
// one is known, and the cause, with every configured secret scrubbed.
type Error struct {
	Provider string // "cloudflare"
	Op       string // "publish" or "unpublish"
	Name     string // the record name, with a trailing dot
	Zone     string // the zone, when known

	// StatusCode is the HTTP status of the provider's failing response, or 0
	// when none is known (transport error, timeout, or a library that hides
	// it; its text then usually carries it).
	StatusCode int

	// Timeout reports that the call ran out of time.
	Timeout bool

	msg string
	err error
}

// Error returns the one-line, scrubbed description.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the library's error. Its own text is not scrubbed: print
// the *Error, not what it wraps.
func (e *Error) Unwrap() error { return e.err }

// fail builds an Error for a failure before the provider was called.
func (p *Publisher) fail(op, name, zone string, cause error) error {
	e := &Error{Provider: p.name, Op: op, Name: name, Zone: zone, err: cause}
	e.msg = p.scrub(p.prefix(op, name, zone) + oneLine(cause.Error(), maxCause))

	return e
}

// failCall builds an Error for a failed provider call.
func (p *Publisher) failCall(ctx context.Context, op, name, zone string, cause error, rec *httpapi.StatusRecorder) error {
	e := &Error{Provider: p.name, Op: op, Name: name, Zone: zone, err: cause}

	e.StatusCode, e.Timeout = rec.LastError(), errors.Is(ctx.Err(), context.DeadlineExceeded)
	if e.StatusCode == 0 && p.strictStatus {
		e.StatusCode = rec.FirstError()
	}

	if e.StatusCode == 0 {
		e.StatusCode = statusFromError(cause)
	}

	var b strings.Builder

	b.WriteString(p.prefix(op, name, zone))

	var netErr net.Error

	switch {
	case e.Timeout:
		fmt.Fprintf(&b, "timed out after %s: ", p.timeout)
	case errors.As(cause, &netErr) && netErr.Timeout():
		// The library's HTTP client gave up first.
		e.Timeout = true

		b.WriteString("timed out: ")
	}

	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))

		switch e.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			b.WriteString(" (check the credentials and their permissions on the zone)")
		case http.StatusTooManyRequests:
			b.WriteString(" (rate limited; try again later)")
		}

		b.WriteString(": ")
	}

	b.WriteString(oneLine(cause.Error(), maxCause))
	e.msg = p.scrub(b.String())

	return e
}

func (p *Publisher) prefix(op, name, zone string) string {
	s := p.name + ": " + op + " TXT " + name
	if zone != "" {
		s += " (zone " + zone + ")"
	}

	return s + ": "
}

// scrub replaces every configured secret in s.
func (p *Publisher) scrub(s string) string {
	for _, secret := range p.secrets {
		s = strings.ReplaceAll(s, secret, "REDACTED")
	}

	return s
}

// statusFromError reads an HTTP status out of library errors that expose
// one through a method (the AWS SDK's HTTPStatusCode, others' StatusCode).
func statusFromError(err error) int {
	var withHTTP interface{ HTTPStatusCode() int }
	if errors.As(err, &withHTTP) {
		return withHTTP.HTTPStatusCode()
	}

	var withStatus interface{ StatusCode() int }
	if errors.As(err, &withStatus) {
		return withStatus.StatusCode()
	}

	return 0
}

// oneLine collapses whitespace (newlines included) to single spaces and cuts
// s to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + " …"
	}

	return s
}
