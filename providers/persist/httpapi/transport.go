// Package httpapi is the HTTP-client helper of the publishers that talk to a
// DNS host's API: JSON requests read whole and bounded (Do, DoJSON), the
// error type naming the HTTP status (StatusError), base-URL overrides that
// never quote a credential (APIBaseURL, NewHTTPClient), and a Transport that
// records response statuses for error messages.
package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Transport is an http.RoundTripper for provider libraries that take an HTTP
// client. It records the status of every response in the request context's
// StatusRecorder (see WithStatusRecorder), so that a publisher's error names
// the HTTP status even when the library's own error does not
// (a 502 HTML page that fails to decode as JSON, for instance), and, when To
// is set, sends requests meant for the API base URL From to To instead (a
// self-hosted API gateway, or a test server).
type Transport struct {
	// Base sends the requests; http.DefaultTransport when nil.
	Base http.RoundTripper

	// From is the API base URL the library has built in
	// ("https://api.cloudflare.com/client/v4"); To replaces it. Requests
	// whose URL does not start with From are sent unchanged.
	From string
	To   *url.URL
}

// NewHTTPClient returns a client with timeout per request over a Transport
// that sends requests for the base URL from to to ("" or equal: no rewrite).
func NewHTTPClient(timeout time.Duration, from, to string) (*http.Client, error) {
	t := &Transport{}

	if to != "" && strings.TrimSuffix(to, "/") != strings.TrimSuffix(from, "/") {
		u, err := url.Parse(to)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// url.Error quotes the URL, which may carry a password: do not wrap it.
			return nil, fmt.Errorf("base URL %s: want an http:// or https:// URL with a host", redactURL(to))
		}

		t.From, t.To = strings.TrimSuffix(from, "/"), u
	}

	return &http.Client{Timeout: timeout, Transport: t}, nil
}

// RoundTrip sends req (rewritten when it targets From) and records the
// response status for the Publisher call that sent it.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}

	if t.To != nil && t.From != "" {
		if rest, ok := strings.CutPrefix(req.URL.String(), t.From); ok && (rest == "" || strings.HasPrefix(rest, "/") || strings.HasPrefix(rest, "?")) {
			u, err := url.Parse(strings.TrimSuffix(t.To.String(), "/") + rest)
			if err != nil {
				return nil, fmt.Errorf("rewriting the request URL to the configured base URL: %w", err)
			}

			req = req.Clone(req.Context())
			req.URL = u
			req.Host = u.Host
		}
	}

	resp, err := base.RoundTrip(req)
	if err == nil {
		if rec := statusRecorderFrom(req.Context()); rec != nil {
			rec.Observe(resp.StatusCode)
		}
	}

	return resp, err
}

// StatusRecorder remembers the statuses of the responses of one publisher
// call; it travels in the request context. It is safe for concurrent use.
type StatusRecorder struct {
	mu       sync.Mutex
	code     int // last status
	firstErr int // first 4xx/5xx status
}

type statusRecorderKey struct{}

// WithStatusRecorder returns ctx carrying a new StatusRecorder, which every
// Transport sending a request under that context (or one derived from it)
// feeds.
func WithStatusRecorder(ctx context.Context) (context.Context, *StatusRecorder) {
	rec := &StatusRecorder{}

	return context.WithValue(ctx, statusRecorderKey{}, rec), rec
}

func statusRecorderFrom(ctx context.Context) *StatusRecorder {
	rec, _ := ctx.Value(statusRecorderKey{}).(*StatusRecorder)

	return rec
}

// Observe records one response status.
func (r *StatusRecorder) Observe(code int) {
	r.mu.Lock()
	r.code = code

	if code >= 400 && r.firstErr == 0 {
		r.firstErr = code
	}
	r.mu.Unlock()
}

// FirstError returns the first 4xx/5xx status seen, else 0.
func (r *StatusRecorder) FirstError() int {
	if r == nil {
		return 0
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	return r.firstErr
}

// LastError returns the status of the last response if it was an error
// status (4xx, 5xx), else 0: a failure after a successful response is not
// an HTTP failure.
func (r *StatusRecorder) LastError() int {
	if r == nil {
		return 0
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	if r.code >= 400 {
		return r.code
	}

	return 0
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable)"
	}

	return u.Redacted()
}
