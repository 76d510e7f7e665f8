// Package inwx publishes dns-persist-01 records at INWX through its
// JSON-RPC API (net/http only), configured with lego's INWX_* environment
// variables.
//
// Each TXT value is a record of its own: publish runs
// nameserver.createRecord with one value; unpublish runs nameserver.info
// for the TXT records at the name and nameserver.deleteRecord, by ID, for
// those holding exactly the value. The session (a cookie) is opened with
// account.login once and reused; with two-factor authentication
// (INWX_SHARED_SECRET) it is unlocked with a TOTP code.
package inwx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"sync"
	"time"

	"github.com/go-acme/lego/v4/platform/config/env"
	"github.com/pquerna/otp/totp"

	"github.com/lego-persist/lego-persist/providers/persist/httpapi"
	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter"
)

// Environment variable names, lego's (each also as NAME_FILE).
const (
	EnvUsername     = "INWX_USERNAME"
	EnvPassword     = "INWX_PASSWORD"
	EnvSharedSecret = "INWX_SHARED_SECRET"
	EnvSandbox      = "INWX_SANDBOX"
)

// API endpoints.
const (
	DefaultBaseURL = "https://api.domrobot.com/jsonrpc/"
	SandboxBaseURL = "https://api.ote.domrobot.com/jsonrpc/"
)

const defaultTTL = 300 // lego's default, the API's minimum

// Config configures a DNSProvider.
type Config struct {
	libdnsadapter.Options

	Username     string
	Password     string
	SharedSecret string // the TOTP secret, for accounts with two-factor authentication
	Sandbox      bool   // the OT&E test system
	BaseURL      string // DefaultBaseURL (SandboxBaseURL with Sandbox) when empty
}

// NewDefaultConfig reads INWX_ZONE, _TTL, _HTTP_TIMEOUT and _SANDBOX.
func NewDefaultConfig() *Config {
	return &Config{Options: libdnsadapter.ReadOptions(defaultTTL, "INWX_"), Sandbox: env.GetOrDefaultBool(EnvSandbox, false)}
}

// DNSProvider publishes dns-persist-01 records at INWX. It implements
// persist.Publisher and persist.Unpublisher (see libdnsadapter.Publisher).
type DNSProvider struct{ *libdnsadapter.Publisher }

// NewDNSProvider reads the configuration from the environment.
func NewDNSProvider() (*DNSProvider, error) {
	cfg := NewDefaultConfig()
	cfg.Username, cfg.Password = env.GetOrFile(EnvUsername), env.GetOrFile(EnvPassword)
	cfg.SharedSecret = env.GetOrFile(EnvSharedSecret)

	if err := cfg.UseSystemResolvers(); err != nil {
		return nil, fmt.Errorf("inwx: %w (or set INWX_ZONE)", err)
	}

	return NewDNSProviderConfig(cfg)
}

// NewDNSProviderConfig checks cfg and returns a DNSProvider.
func NewDNSProviderConfig(cfg *Config) (*DNSProvider, error) {
	if cfg == nil || cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("inwx: the credentials are missing: set " + EnvUsername + " and " + EnvPassword)
	}

	def := DefaultBaseURL
	if cfg.Sandbox {
		def = SandboxBaseURL
	}

	base, err := httpapi.APIBaseURL("inwx", "base URL", cfg.BaseURL, def)
	if err != nil {
		return nil, err
	}

	hc, err := httpapi.NewHTTPClient(cfg.HTTPTimeout, "", "")
	if err != nil {
		return nil, fmt.Errorf("inwx: %w", err)
	}

	hc.Jar, _ = cookiejar.New(nil) // the session cookie

	a := &api{hc: hc, url: base + "/", user: cfg.Username, password: cfg.Password, secret: cfg.SharedSecret, now: time.Now}

	return libdnsadapter.NewAs[DNSProvider](cfg.Config("inwx", cfg.Password, cfg.SharedSecret), libdnsadapter.Records(a))
}

// Describe documents the provider for lego-persist dnshelp.
func Describe() libdnsadapter.Description {
	return libdnsadapter.Description{
		Name:        "inwx",
		Description: "INWX JSON-RPC API. Publish runs nameserver.createRecord with one TXT value; unpublish deletes, by ID, the records with exactly that value.",
		Backing:     "own client (INWX JSON-RPC API, net/http; TOTP: github.com/pquerna/otp)",
		Safety:      libdnsadapter.SafePerRecord + ": nameserver.createRecord adds one record; nameserver.deleteRecord removes only the records holding our value.",
		LongValues:  libdnsadapter.LongWhole,
		Env: append([]libdnsadapter.EnvVar{
			{Name: EnvUsername, Description: "Account user name", Required: true},
			{Name: EnvPassword, Description: "Account password", Required: true},
			{Name: EnvSharedSecret, Description: "TOTP shared secret, for accounts with two-factor authentication"},
			{Name: EnvSandbox, Description: "true: use the OT&E sandbox API"},
		}, libdnsadapter.CommonEnv("INWX_", defaultTTL)...),
	}
}

// api is the INWX JSON-RPC API as a libdnsadapter.RecordAPI.
type api struct {
	hc                     *http.Client
	url                    string
	user, password, secret string
	now                    func() time.Time

	mu       sync.Mutex
	loggedIn bool
}

// codeError is an answer with a code other than 1000 or 1001.
func codeError(method string, code int, msg string) error {
	e := &httpapi.StatusError{Code: method + " " + strconv.Itoa(code), Message: msg}
	if code == 2200 { // authentication error
		e.Status = http.StatusUnauthorized
	}

	return e
}

// rpc sends one call and decodes resData into out.
func (a *api) rpc(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(map[string]any{"method": method, "params": params})
	if err != nil {
		return err
	}

	raw, err := httpapi.DoJSON(ctx, a.hc, httpapi.Request{Method: http.MethodPost, URL: a.url, Body: body}, httpapi.BodyError)
	if err != nil {
		return err
	}

	var resp struct {
		Code    int             `json:"code"`
		Msg     string          `json:"msg"`
		Reason  string          `json:"reason"`
		ResData json.RawMessage `json:"resData"`
	}

	if err := json.Unmarshal(raw, &resp); err != nil {
		return fmt.Errorf("reading the response of %s: %w", method, err)
	}

	if resp.Code != 1000 && resp.Code != 1001 {
		msg := resp.Msg
		if resp.Reason != "" {
			msg += ": " + resp.Reason
		}

		return codeError(method, resp.Code, msg)
	}

	if out == nil || len(resp.ResData) == 0 {
		return nil
	}

	return json.Unmarshal(resp.ResData, out)
}

// login opens the session, unlocking it with a TOTP code when the account
// asks for one.
func (a *api) login(ctx context.Context) error {
	var res struct {
		TFA string `json:"tfa"`
	}

	if err := a.rpc(ctx, "account.login", map[string]string{"user": a.user, "pass": a.password}, &res); err != nil {
		return fmt.Errorf("logging in: %w", err)
	}

	if res.TFA != "" && res.TFA != "0" {
		if a.secret == "" {
			return errors.New("logging in: the account has two-factor authentication: set " + EnvSharedSecret)
		}

		tan, err := totp.GenerateCode(a.secret, a.now())
		if err != nil {
			return errors.New("logging in: " + EnvSharedSecret + " is not a TOTP secret")
		}

		if err := a.rpc(ctx, "account.unlock", map[string]string{"tan": tan}, nil); err != nil {
			return fmt.Errorf("unlocking the session: %w", err)
		}
	}

	return nil
}

// call runs method in the session, logging in first when needed and once
// more when the session was closed on the server's side.
func (a *api) call(ctx context.Context, method string, params, out any) error {
	a.mu.Lock()
	defer a.mu.Unlock()

	for attempt := 0; ; attempt++ {
		if !a.loggedIn {
			if err := a.login(ctx); err != nil {
				return err
			}

			a.loggedIn = true
		}

		err := a.rpc(ctx, method, params, out)

		var se *httpapi.StatusError
		if attempt == 0 && errors.As(err, &se) && (se.Code == method+" 2002" || se.Status == http.StatusUnauthorized) {
			a.loggedIn = false // the session expired

			continue
		}

		return err
	}
}

type record struct {
	ID      json.Number `json:"id,omitempty"`
	Name    string      `json:"name"`
	Type    string      `json:"type"`
	Content string      `json:"content"`
}

func (a *api) ListTXT(ctx context.Context, n libdnsadapter.Name) ([]libdnsadapter.APIRecord, error) {
	var res struct {
		Records []record `json:"record"`
	}

	if err := a.call(ctx, "nameserver.info", map[string]string{"domain": n.Zone, "name": n.Relative, "type": "TXT"}, &res); err != nil {
		return nil, err
	}

	var out []libdnsadapter.APIRecord

	for _, r := range res.Records {
		if r.Type == "TXT" && r.Name == n.FQDN() {
			out = append(out, libdnsadapter.APIRecord{ID: r.ID.String(), Value: r.Content})
		}
	}

	return out, nil
}

func (a *api) CreateTXT(ctx context.Context, n libdnsadapter.Name, value string, ttl int) error {
	p := map[string]any{"domain": n.Zone, "name": n.Relative, "type": "TXT", "content": value}
	if ttl > 0 {
		p["ttl"] = ttl
	}

	return a.call(ctx, "nameserver.createRecord", p, nil)
}

func (a *api) DeleteTXT(ctx context.Context, _ libdnsadapter.Name, rec libdnsadapter.APIRecord) error {
	id, err := strconv.ParseInt(rec.ID, 10, 64)
	if err != nil {
		return err
	}

	return a.call(ctx, "nameserver.deleteRecord", map[string]int64{"id": id}, nil)
}
