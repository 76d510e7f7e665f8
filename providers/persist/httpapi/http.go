package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// MaxBody bounds what Do reads of a response body, 1 MiB; the rest is
// dropped.
const MaxBody = 1 << 20

// Request is one call of a provider's JSON-over-HTTP API, for publishers
// that talk to the API themselves rather than through a libdns library.
type Request struct {
	Method string
	URL    string

	// Token, when not empty, is sent as "Authorization: Bearer <Token>".
	Token string

	// Header holds more headers (If-Match, say). Authorization and Accept
	// are always Do's own; Content-Type here replaces the JSON default.
	Header http.Header

	// Body is sent as it is, with Content-Type: application/json unless
	// Header names another type. nil sends no body.
	Body []byte
}

// Response is a response read whole, its body closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte // at most MaxBody bytes
}

// Do sends req with hc under ctx, accepting application/json, and reads
// the response whatever its status. The error is only that of building,
// sending or reading: an HTTP error status is for the caller to judge.
func Do(ctx context.Context, hc *http.Client, req Request) (*Response, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}

	r, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, err
	}

	for k, v := range req.Header {
		r.Header[k] = v
	}

	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}

	r.Header.Set("Accept", "application/json")

	if req.Body != nil && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}

	resp, err := hc.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return nil, err
	}

	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// DoJSON is Do for calls where any 2xx status is success: it returns the
// body of a 2xx response, and for any other status the error errorOf
// makes of the status and body (typically a *StatusError, so that the
// Publisher's error names the status).
func DoJSON(ctx context.Context, hc *http.Client, req Request, errorOf func(status int, body []byte) error) ([]byte, error) {
	resp, err := Do(ctx, hc, req)
	if err != nil {
		return nil, err
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, errorOf(resp.StatusCode, resp.Body)
	}

	return resp.Body, nil
}

// StatusError is an error response of a provider's API: its HTTP status
// and the error code and message its body carried. A Publisher reads the
// status through StatusCode and names it in its error, so Error leaves it
// out when there is a code or a message.
type StatusError struct {
	Status  int    // the HTTP status; 0 when the error did not come with one
	Code    string // the API's error code, reason or id
	Message string
}

// IsNotFound reports whether err is a StatusError with HTTP 404: for APIs
// that answer a read of a missing record set that way.
func IsNotFound(err error) bool {
	var se *StatusError

	return errors.As(err, &se) && se.Status == http.StatusNotFound
}

// StatusCode is the HTTP status, as the Publisher reads it.
func (e *StatusError) StatusCode() int { return e.Status }

// Error is "code: message", or whichever of the two there is; with
// neither, the HTTP status ("HTTP 502 Bad Gateway"), or "no error details
// in the response" when there is no status either.
func (e *StatusError) Error() string {
	switch {
	case e.Code != "" && e.Message != "":
		return e.Code + ": " + e.Message
	case e.Code != "" || e.Message != "":
		return e.Code + e.Message
	case e.Status != 0:
		return "HTTP " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	default:
		return NoErrorDetails
	}
}

// NoErrorDetails is the text for an error response whose body says
// nothing, for APIs that prefer it to the bare HTTP status.
const NoErrorDetails = "no error details in the response"

// APIBaseURL checks an API base URL override (envName, e.g. DO_API_URL)
// and returns it without a trailing slash, or def when value is empty. It
// must be an http(s) URL with a host and no credentials, query or fragment;
// the error does not quote the URL, which might carry a credential.
func APIBaseURL(provider, envName, value, def string) (string, error) {
	if value == "" {
		return def, nil
	}

	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New(provider + ": " + envName + ": want an http:// or https:// URL with a host and no credentials")
	}

	return strings.TrimSuffix(value, "/"), nil
}
