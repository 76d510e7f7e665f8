package httpreq

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testFQDN     = "_validation-persist.example.com."
	testValue    = "ca.example; accounturi=https://ca.example/acct/1; policy=wildcard"
	testUser     = "acme"
	testPassword = "s3cr3t-Pa55w0rd"
)

// request is what the test server saw.
type request struct {
	Method, Path, ContentType string
	User, Password            string
	HasAuth                   bool
	Body                      map[string]any
}

// recorder is an httptest handler that records requests and answers with
// status (200 when zero) and body.
type recorder struct {
	mu     sync.Mutex
	seen   []request
	status int
	body   string
	header map[string]string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var got request

	got.Method, got.Path, got.ContentType = req.Method, req.URL.Path, req.Header.Get("Content-Type")
	got.User, got.Password, got.HasAuth = req.BasicAuth()

	raw, _ := io.ReadAll(req.Body)
	if err := json.Unmarshal(raw, &got.Body); err != nil {
		got.Body = map[string]any{"unparsable": string(raw)}
	}

	r.mu.Lock()
	r.seen = append(r.seen, got)
	r.mu.Unlock()

	for k, v := range r.header {
		w.Header().Set(k, v)
	}

	if r.status != 0 {
		w.WriteHeader(r.status)
	}

	_, _ = io.WriteString(w, r.body)
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()

	return append([]request(nil), r.seen...)
}

func serve(t *testing.T, h http.Handler) *url.URL {
	t.Helper()

	srv := httptest.NewServer(h) // listens on 127.0.0.1
	t.Cleanup(srv.Close)

	u, err := url.Parse(srv.URL + "/dns")
	if err != nil {
		t.Fatal(err)
	}

	return u
}

func newProvider(t *testing.T, endpoint *url.URL, mutate ...func(*Config)) *DNSProvider {
	t.Helper()

	cfg := &Config{Endpoint: endpoint, Username: testUser, Password: testPassword}
	for _, m := range mutate {
		m(cfg)
	}

	p, err := NewDNSProviderConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}

	return p
}

func TestRequestCarriesMethodPathJSONAndBasicAuth(t *testing.T) {
	tests := []struct {
		action string
		call   func(*DNSProvider, context.Context, string, string) error
	}{
		{"present", (*DNSProvider).Publish},
		{"cleanup", (*DNSProvider).Unpublish},
	}

	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			rec := &recorder{}
			p := newProvider(t, serve(t, rec))

			if err := tt.call(p, t.Context(), testFQDN, testValue); err != nil {
				t.Fatalf("%s: %v", tt.action, err)
			}

			seen := rec.requests()
			if len(seen) != 1 {
				t.Fatalf("server saw %d requests, want 1", len(seen))
			}

			got := seen[0]
			want := request{
				Method: http.MethodPost, Path: "/dns/" + tt.action, ContentType: "application/json",
				User: testUser, Password: testPassword, HasAuth: true,
				Body: map[string]any{"fqdn": testFQDN, "value": testValue},
			}

			if got.Method != want.Method || got.Path != want.Path || got.ContentType != want.ContentType ||
				got.User != want.User || got.Password != want.Password || got.HasAuth != want.HasAuth ||
				len(got.Body) != 2 || got.Body["fqdn"] != testFQDN || got.Body["value"] != testValue {
				t.Errorf("server saw %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLongValueIsSentWhole(t *testing.T) {
	rec := &recorder{}
	p := newProvider(t, serve(t, rec))
	long := "ca.example; accounturi=https://ca.example/acct/" + strings.Repeat("9", 400)

	if err := p.Publish(t.Context(), testFQDN, long); err != nil {
		t.Fatal(err)
	}

	if got := rec.requests()[0].Body["value"]; got != long {
		t.Errorf("value sent = %q, want the whole %d-octet value", got, len(long))
	}
}

func TestNoBasicAuthWithoutBothCredentials(t *testing.T) {
	rec := &recorder{}
	p := newProvider(t, serve(t, rec), func(c *Config) { c.Password = "" })

	if err := p.Publish(t.Context(), testFQDN, testValue); err != nil {
		t.Fatal(err)
	}

	if rec.requests()[0].HasAuth {
		t.Error("basic auth sent although HTTPREQ_PASSWORD is empty")
	}
}

func TestFailedRequestIsOneLineNamingProviderRecordAndStatus(t *testing.T) {
	tests := []struct {
		name   string
		rec    *recorder
		status int
		want   []string
	}{
		{
			name:   "401",
			rec:    &recorder{status: http.StatusUnauthorized, body: "bad credentials for acme:" + testPassword + "\n"},
			status: http.StatusUnauthorized,
			want:   []string{"HTTP 401 Unauthorized", "bad credentials", "check HTTPREQ_USERNAME and HTTPREQ_PASSWORD"},
		},
		{
			name:   "429",
			rec:    &recorder{status: http.StatusTooManyRequests, body: "slow down", header: map[string]string{"Retry-After": "30"}},
			status: http.StatusTooManyRequests,
			want:   []string{"HTTP 429 Too Many Requests", "Retry-After: 30", "slow down"},
		},
		{
			name:   "500 with a long multi-line body",
			rec:    &recorder{status: http.StatusInternalServerError, body: "panic: zone file\n\tlocked\n" + strings.Repeat("x", 5000)},
			status: http.StatusInternalServerError,
			want:   []string{"HTTP 500 Internal Server Error", "panic: zone file locked", "…"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newProvider(t, serve(t, tt.rec))

			err := p.Publish(t.Context(), testFQDN, testValue)
			if err == nil {
				t.Fatalf("Publish succeeded against a server answering %d", tt.status)
			}

			msg := err.Error()
			for _, want := range append([]string{"httpreq: present " + testFQDN, "POST http://127.0.0.1:"}, tt.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}

			assertSafeOneLine(t, msg)

			if len(msg) > 2*maxBodySnippet+200 {
				t.Errorf("error is %d bytes long: the body snippet is not bounded", len(msg))
			}

			var herr *Error
			if !errors.As(err, &herr) || herr.StatusCode != tt.status {
				t.Errorf("error does not carry status %d: %#v", tt.status, err)
			}
		})
	}
}

func TestTimeoutIsOneLineNamingProviderAndRecord(t *testing.T) {
	release := make(chan struct{})
	endpoint := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	t.Cleanup(func() { close(release) }) // runs before the server's Close, which waits for the handler

	p := newProvider(t, endpoint, func(c *Config) { c.HTTPTimeout = 50 * time.Millisecond })

	err := p.Publish(t.Context(), testFQDN, testValue)
	if err == nil {
		t.Fatal("Publish succeeded against a server that never answers")
	}

	msg := err.Error()
	for _, want := range []string{"httpreq: present " + testFQDN, "POST http://127.0.0.1:", "timed out"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}

	assertSafeOneLine(t, msg)
}

func TestCancelledContextStopsRequest(t *testing.T) {
	p := newProvider(t, serve(t, &recorder{}))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if err := p.Publish(ctx, testFQDN, testValue); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestPasswordInEndpointURLStaysOutOfErrorsAndString(t *testing.T) {
	endpoint := serve(t, &recorder{status: http.StatusBadGateway})
	endpoint.User = url.UserPassword(testUser, testPassword)

	p := newProvider(t, endpoint, func(c *Config) { c.Username, c.Password = "", "" })

	err := p.Publish(t.Context(), testFQDN, testValue)
	if err == nil {
		t.Fatal("Publish succeeded against a server answering 502")
	}

	assertSafeOneLine(t, err.Error())
	assertSafeOneLine(t, p.String())
}

func TestStringNamesEndpointAndUserButNotPassword(t *testing.T) {
	endpoint, _ := url.Parse("https://dns.example/api")
	p := newProvider(t, endpoint)

	if got, want := p.String(), "httpreq(https://dns.example/api, user acme)"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestNewDNSProviderReadsEnvironment(t *testing.T) {
	rec := &recorder{}
	endpoint := serve(t, rec)

	passwordFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(passwordFile, []byte(testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	clearEnv(t)
	t.Setenv(EnvEndpoint, endpoint.String())
	t.Setenv(EnvUsername, testUser)
	t.Setenv(EnvPassword+"_FILE", passwordFile)
	t.Setenv(EnvHTTPTimeout, "7")

	p, err := NewDNSProvider()
	if err != nil {
		t.Fatalf("NewDNSProvider: %v", err)
	}

	if p.client.Timeout != 7*time.Second {
		t.Errorf("HTTP timeout = %s, want 7s from %s", p.client.Timeout, EnvHTTPTimeout)
	}

	if err := p.Publish(t.Context(), testFQDN, testValue); err != nil {
		t.Fatal(err)
	}

	if got := rec.requests()[0]; got.User != testUser || got.Password != testPassword {
		t.Errorf("basic auth = %q/%q, want the credentials from the environment", got.User, got.Password)
	}
}

func TestNewDNSProviderRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"missing endpoint", map[string]string{}, EnvEndpoint},
		{"raw mode", map[string]string{EnvEndpoint: "https://dns.example", EnvMode: "RAW"}, "HTTPREQ_MODE=RAW is not supported"},
		{"unknown mode", map[string]string{EnvEndpoint: "https://dns.example", EnvMode: "JSON"}, `unknown HTTPREQ_MODE "JSON"`},
		{"not http", map[string]string{EnvEndpoint: "ftp://dns.example"}, "want an http:// or https:// URL"},
		{"no host", map[string]string{EnvEndpoint: "dns.example/api"}, "want an http:// or https:// URL"},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)

			for k, v := range tt.env {
				t.Setenv(k, v)
			}

			_, err := NewDNSProvider()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewDNSProvider = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestNewDNSProviderConfigLeavesCallerClientAlone(t *testing.T) {
	client := &http.Client{Timeout: 3 * time.Second}
	endpoint, _ := url.Parse("https://dns.example")

	p := newProvider(t, endpoint, func(c *Config) { c.HTTPClient = client })

	if p.client != client || client.Timeout != 3*time.Second || client.Transport != nil {
		t.Error("the caller's HTTP client was replaced or modified")
	}
}

func clearEnv(t *testing.T) {
	t.Helper()

	for _, name := range []string{EnvEndpoint, EnvMode, EnvUsername, EnvPassword, EnvHTTPTimeout} {
		t.Setenv(name, "")
		t.Setenv(name+"_FILE", "")
	}
}

func assertSafeOneLine(t *testing.T, msg string) {
	t.Helper()

	if strings.Contains(msg, testPassword) {
		t.Errorf("text contains the password: %q", msg)
	}

	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("text spans several lines: %q", msg)
	}
}
