// Package httpreq publishes dns-persist-01 records through an HTTP endpoint,
// with the protocol and environment variables of lego's httpreq DNS
// provider in its default mode:
//
//	POST $HTTPREQ_ENDPOINT/present  {"fqdn": "_validation-persist.example.com.", "value": "ca.example; accounturi=..."}
//	POST $HTTPREQ_ENDPOINT/cleanup  {"fqdn": ..., "value": ...}
//
// with HTTP basic authentication when HTTPREQ_USERNAME and HTTPREQ_PASSWORD
// are both set. Any 2xx status is success. The value is sent whole, even when
// longer than 255 octets: the endpoint splits it into TXT character-strings.
// The endpoint must add the value next to the others at that name, never
// replace them (other CAs and accounts keep their own records).
//
// lego's raw mode (HTTPREQ_MODE=RAW, which sends a dns-01 domain, token and
// key authorization) has no dns-persist-01 equivalent and is refused.
package httpreq

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
)

// Environment variable names, lego's. Each may also be given as NAME_FILE
// (the value read from that file).
const (
	envNamespace = "HTTPREQ_"

	EnvEndpoint    = envNamespace + "ENDPOINT"
	EnvMode        = envNamespace + "MODE"
	EnvUsername    = envNamespace + "USERNAME"
	EnvPassword    = envNamespace + "PASSWORD"
	EnvHTTPTimeout = envNamespace + "HTTP_TIMEOUT"

	// EnvPropagationTimeout and EnvPollingInterval are read for
	// compatibility with lego env files and otherwise ignored: the solver
	// checks propagation itself (see persist.WithPropagationTimeout).
	EnvPropagationTimeout = envNamespace + "PROPAGATION_TIMEOUT"
	EnvPollingInterval    = envNamespace + "POLLING_INTERVAL"
)

// ModeRaw is lego's HTTPREQ_MODE=RAW, refused here (see the package doc).
const ModeRaw = "RAW"

// DefaultHTTPTimeout bounds each request unless HTTPREQ_HTTP_TIMEOUT says
// otherwise (lego's default).
const DefaultHTTPTimeout = 30 * time.Second

// maxBodySnippet is how much of an error response's body an error quotes.
const maxBodySnippet = 200

// Config configures a DNSProvider.
type Config struct {
	// Endpoint is the base URL; "/present" and "/cleanup" are appended to
	// its path.
	Endpoint *url.URL

	// Mode is HTTPREQ_MODE: empty, or "RAW" which is refused.
	Mode string

	// Username and Password are sent as HTTP basic authentication when
	// both are set.
	Username string
	Password string

	// HTTPClient sends the requests; a client with HTTPTimeout when nil.
	// It is used as is, never modified.
	HTTPClient *http.Client

	// HTTPTimeout bounds each request when HTTPClient is nil;
	// DefaultHTTPTimeout when zero.
	HTTPTimeout time.Duration

	// PropagationTimeout and PollingInterval hold HTTPREQ_PROPAGATION_TIMEOUT
	// and HTTPREQ_POLLING_INTERVAL for callers that want them; the provider
	// does not use them.
	PropagationTimeout time.Duration
	PollingInterval    time.Duration
}

// NewDefaultConfig returns a Config with HTTPREQ_MODE, HTTPREQ_HTTP_TIMEOUT,
// HTTPREQ_PROPAGATION_TIMEOUT and HTTPREQ_POLLING_INTERVAL read from the
// environment. Endpoint and credentials are left empty.
func NewDefaultConfig() *Config {
	return &Config{
		Mode:               env.GetOrFile(EnvMode),
		HTTPTimeout:        env.GetOrDefaultSecond(EnvHTTPTimeout, DefaultHTTPTimeout),
		PropagationTimeout: env.GetOrDefaultSecond(EnvPropagationTimeout, 0),
		PollingInterval:    env.GetOrDefaultSecond(EnvPollingInterval, 0),
	}
}

// DNSProvider sends records to the endpoint. It is safe for concurrent use.
type DNSProvider struct {
	endpoint *url.URL
	username string
	password string
	client   *http.Client
}

// NewDNSProvider returns a DNSProvider configured from HTTPREQ_ENDPOINT
// (required), HTTPREQ_USERNAME, HTTPREQ_PASSWORD, HTTPREQ_MODE and
// HTTPREQ_HTTP_TIMEOUT (seconds).
func NewDNSProvider() (*DNSProvider, error) {
	values, err := env.Get(EnvEndpoint)
	if err != nil {
		return nil, fmt.Errorf("httpreq: %w", err)
	}

	endpoint, err := url.Parse(values[EnvEndpoint])
	if err != nil {
		// url.Error quotes the URL, which may carry a password: name only the variable.
		return nil, fmt.Errorf("httpreq: %s is not a valid URL", EnvEndpoint)
	}

	cfg := NewDefaultConfig()
	cfg.Endpoint = endpoint
	cfg.Username = env.GetOrFile(EnvUsername)
	cfg.Password = env.GetOrFile(EnvPassword)

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider; cfg is not
// modified.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil {
		return nil, errors.New("httpreq: the configuration is nil")
	}

	switch strings.ToUpper(cfg.Mode) {
	case "":
	case ModeRaw:
		return nil, fmt.Errorf("httpreq: %s=%s is not supported: dns-persist-01 has no token or key authorization to send; "+
			"unset %s so the endpoint receives {\"fqdn\", \"value\"}", EnvMode, cfg.Mode, EnvMode)
	default:
		return nil, fmt.Errorf("httpreq: unknown %s %q: leave it unset", EnvMode, cfg.Mode)
	}

	if cfg.Endpoint == nil {
		return nil, fmt.Errorf("httpreq: the endpoint is missing: set %s", EnvEndpoint)
	}

	if s := cfg.Endpoint.Scheme; (s != "http" && s != "https") || cfg.Endpoint.Host == "" {
		return nil, fmt.Errorf("httpreq: endpoint %s: want an http:// or https:// URL with a host (%s)",
			cfg.Endpoint.Redacted(), EnvEndpoint)
	}

	client := cfg.HTTPClient
	if client == nil {
		timeout := cfg.HTTPTimeout
		if timeout <= 0 {
			timeout = DefaultHTTPTimeout
		}

		client = &http.Client{Timeout: timeout}
	}

	endpoint := *cfg.Endpoint

	return &DNSProvider{
		endpoint: &endpoint,
		username: cfg.Username,
		password: cfg.Password,
		client:   client,
	}, nil
}

// Publish POSTs {"fqdn", "value"} to <endpoint>/present and returns nil on a
// 2xx response.
func (d *DNSProvider) Publish(ctx context.Context, fqdn, value string) error {
	return d.post(ctx, "present", fqdn, value)
}

// Unpublish POSTs {"fqdn", "value"} to <endpoint>/cleanup and returns nil on
// a 2xx response.
func (d *DNSProvider) Unpublish(ctx context.Context, fqdn, value string) error {
	return d.post(ctx, "cleanup", fqdn, value)
}

// String names the provider, its endpoint and user, never the password.
func (d *DNSProvider) String() string {
	s := "httpreq(" + d.endpoint.Redacted()
	if d.username != "" {
		s += ", user " + d.username
	}

	return s + ")"
}

// message is the request body, lego's default-mode format.
type message struct {
	FQDN  string `json:"fqdn"`
	Value string `json:"value"`
}

func (d *DNSProvider) post(ctx context.Context, action, fqdn, value string) error {
	body, err := json.Marshal(message{FQDN: fqdn, Value: value})
	if err != nil {
		return fmt.Errorf("httpreq: %s %s: encode request: %w", action, fqdn, err)
	}

	endpoint := d.endpoint.JoinPath(action)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("httpreq: %s %s: %w", action, fqdn, d.redact(err))
	}

	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")

	if d.username != "" && d.password != "" {
		req.SetBasicAuth(d.username, d.password)
	}

	where := "POST " + endpoint.Redacted()

	resp, err := d.client.Do(req)
	if err != nil {
		return &Error{msg: fmt.Sprintf("httpreq: %s %s: %s: %s", action, fqdn, where, d.transportCause(err)), err: err}
	}

	defer func() { _ = resp.Body.Close() }()

	if resp.StatusCode/100 == 2 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused

		return nil
	}

	msg := fmt.Sprintf("httpreq: %s %s: %s: HTTP %s", action, fqdn, where, resp.Status)

	if ra := resp.Header.Get("Retry-After"); ra != "" && resp.StatusCode == http.StatusTooManyRequests {
		msg += " (Retry-After: " + oneLine(ra, 40) + ")"
	}

	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 4*maxBodySnippet))
	if s := d.scrub(oneLine(string(snippet), maxBodySnippet)); s != "" {
		msg += ": " + s
	}

	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		msg += "; check " + EnvUsername + " and " + EnvPassword
	}

	return &Error{msg: msg, StatusCode: resp.StatusCode}
}

// transportCause describes a failed request in words, without the URL
// (already named) and without credentials.
func (d *DNSProvider) transportCause(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		if uerr.Timeout() {
			return "timed out: " + d.scrub(uerr.Err.Error())
		}

		return d.scrub(uerr.Err.Error())
	}

	return d.scrub(err.Error())
}

// redact returns err with the password scrubbed from its text.
func (d *DNSProvider) redact(err error) error {
	return errors.New(d.scrub(err.Error()))
}

// scrub removes the password from s, in case an endpoint echoes it.
func (d *DNSProvider) scrub(s string) string {
	if d.password == "" {
		return s
	}

	return strings.ReplaceAll(s, d.password, "REDACTED")
}

// oneLine collapses whitespace to single spaces and cuts s to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "") + " …"
	}

	return s
}

// Error is a failed request. StatusCode is the HTTP status, or 0 when no
// response arrived (then the error wraps the transport error).
type Error struct {
	StatusCode int

	msg string
	err error
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.err }
