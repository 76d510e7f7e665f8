// Package adaptertest helps test provider packages built on libdnsadapter
// against local fake APIs: it records the requests a fake API receives and
// can send a library's hard-wired API URLs to a local server.
package adaptertest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Request is one request a fake API received.
type Request struct {
	Method string
	Path   string // unescaped path
	Query  url.Values
	Header http.Header
	Body   string
}

// String is "METHOD /path?query".
func (r Request) String() string {
	s := r.Method + " " + r.Path
	if len(r.Query) > 0 {
		s += "?" + r.Query.Encode()
	}

	return s
}

// Recorder is an http.Handler that records each request, then hands it
// (with its body restored) to Next.
type Recorder struct {
	Next http.Handler

	mu   sync.Mutex
	reqs []Request
}

// ServeHTTP records r and calls Next.
func (rec *Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))

	rec.mu.Lock()
	rec.reqs = append(rec.reqs, Request{
		Method: r.Method,
		Path:   r.URL.Path,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Body:   string(body),
	})
	rec.mu.Unlock()

	rec.Next.ServeHTTP(w, r)
}

// Requests returns the requests received so far.
func (rec *Recorder) Requests() []Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()

	return append([]Request(nil), rec.reqs...)
}

// Writes returns the requests that are not GET (or HEAD).
func (rec *Recorder) Writes() []Request {
	var out []Request

	for _, r := range rec.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}

	return out
}

// Reset forgets the requests received so far.
func (rec *Recorder) Reset() {
	rec.mu.Lock()
	rec.reqs = nil
	rec.mu.Unlock()
}

// NewServer starts a loopback server recording requests for h; it is closed
// when the test ends.
func NewServer(t testing.TB, h http.Handler) (*httptest.Server, *Recorder) {
	t.Helper()

	rec := &Recorder{Next: h}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)

	return srv, rec
}

// redirectAll sends every request to one local server, keeping path and query.
type redirectAll struct {
	target *url.URL
	base   http.RoundTripper
}

func (r redirectAll) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme = r.target.Scheme
	req.URL.Host = r.target.Host
	req.Host = r.target.Host

	return r.base.RoundTrip(req)
}

// RedirectTransport returns a RoundTripper that sends every request to
// srv, keeping path and query: the Host and scheme a library insists on
// (https, a fixed API host) stay in its URLs while the fake serves them.
func RedirectTransport(t testing.TB, srv *httptest.Server) http.RoundTripper {
	t.Helper()

	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	return redirectAll{target: target, base: &http.Transport{DisableKeepAlives: true}}
}

// RedirectDefaultTransport makes http.DefaultTransport send every request to
// srv for the rest of the test, then restores it. It exists for libraries
// that send through http.DefaultTransport to a fixed API URL and offer no
// way to point them elsewhere (libdns/desec): with it the
// real library code runs against a fake API, and no request can leave the
// machine. It changes process-wide state: tests that use it must not call
// t.Parallel.
func RedirectDefaultTransport(t testing.TB, srv *httptest.Server) {
	t.Helper()

	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	saved := http.DefaultTransport
	// Plain HTTP to loopback; keep-alives off so no connection outlives
	// the server.
	base := &http.Transport{DisableKeepAlives: true}

	http.DefaultTransport = redirectAll{target: target, base: base}

	t.Cleanup(func() { http.DefaultTransport = saved })
}

// AssertNoSecret fails the test when err's text contains secret.
func AssertNoSecret(t testing.TB, err error, secret string) {
	t.Helper()

	if err == nil {
		t.Fatal("want an error, got nil")
	}

	if secret != "" && strings.Contains(err.Error(), secret) {
		t.Errorf("error text contains the secret: %q", err)
	}
}

// AssertOneLine fails the test when err's text spans several lines or does
// not contain every one of want.
func AssertOneLine(t testing.TB, err error, want ...string) {
	t.Helper()

	if err == nil {
		t.Fatal("want an error, got nil")
	}

	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error is not one line: %q", msg)
	}

	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q does not contain %q", msg, w)
		}
	}
}
