// Package account manages the ACME account behind dns-persist-01 records:
// its status at the CA, RFC 8555 §7.3.5 key rollover and §7.3.6
// deactivation. With dns-persist-01 the account key is the standing
// authorization (whoever holds it can issue for every domain whose record
// names the account), so these are the operations that rotate it or pull
// the emergency brake.
//
// Requests go through lego v4's exported ACME API (api.Core: POST-as-GET of
// the account, newAccount with onlyReturnExisting, deactivation). lego v4
// has no key change call; the nested JWS of §7.3.5 is built here with
// go-jose, as lego signs its own requests.
package account

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-acme/lego/v4/acme/api"
	"github.com/go-acme/lego/v4/certcrypto"
	"github.com/lego-persist/lego-persist/internal/draft"
)

// Client talks to one CA about accounts.
type Client struct {
	httpClient *http.Client
	userAgent  string
	dirURL     string
}

// New returns a client for the CA whose directory is at directoryURL. It
// uses a copy of httpClient that follows no redirects: an account URL is
// checked as exactly that URL (draft-02 §4.5).
func New(httpClient *http.Client, userAgent, directoryURL string) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}

	hc := *httpClient
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	return &Client{httpClient: &hc, userAgent: userAgent, dirURL: directoryURL}
}

// DirectoryURL is the CA's directory URL.
func (c *Client) DirectoryURL() string { return c.dirURL }

// ctxTransport sends every request of lego's core with ctx, since lego v4's
// API takes no context.
type ctxTransport struct {
	ctx  context.Context
	next http.RoundTripper
}

// RoundTrip sends req with a context that ends when either req's own
// context or t.ctx ends; the response body keeps it alive until closed.
func (t ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.ctx.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Redacted(), err)
	}

	rctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(t.ctx, cancel)
	release := func() { stop(); cancel() }

	resp, err := t.next.RoundTrip(req.WithContext(rctx))
	if err != nil {
		release()
		return nil, err
	}

	resp.Body = &releaseBody{ReadCloser: resp.Body, release: release}

	return resp, nil
}

type releaseBody struct {
	io.ReadCloser
	release func()
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()

	return err
}

// core is lego's ACME API signing with key (as account kid, or with an
// embedded JWK when kid is empty), bound to ctx.
func (c *Client) core(ctx context.Context, kid string, key crypto.PrivateKey) (*api.Core, error) {
	hc := *c.httpClient

	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}

	hc.Transport = ctxTransport{ctx: ctx, next: next}

	core, err := api.New(&hc, c.userAgent, c.dirURL, kid, key)
	if err != nil {
		return nil, fmt.Errorf("CA %s: %w", c.dirURL, err)
	}

	return core, nil
}

// Status asks the CA for the account at url, signed with key: an
// authenticated POST-as-GET with the empty payload "" (RFC 8555 §7.3,
// draft-02 §4.5).
func (c *Client) Status(ctx context.Context, url string, key crypto.PrivateKey) (acme.Account, error) {
	core, err := c.core(ctx, url, key)
	if err != nil {
		return acme.Account{}, err
	}

	acct, err := core.Accounts.Get(url)
	if err != nil {
		return acme.Account{}, fmt.Errorf("account %s: %w", url, err)
	}

	return acct, nil
}

// ErrNoAccount means the CA knows no account for a key.
var ErrNoAccount = errors.New("the CA knows no account for this key")

// KeyOwner returns the URL of the account whose current key is key (a
// newAccount request with onlyReturnExisting, RFC 8555 §7.3.1), with
// deactivated true when the CA says that account is deactivated. The error
// wraps ErrNoAccount when no account has that key.
func (c *Client) KeyOwner(ctx context.Context, key crypto.PrivateKey) (url string, deactivated bool, err error) {
	core, err := c.core(ctx, "", key)
	if err != nil {
		return "", false, err
	}

	acct, err := core.Accounts.New(acme.Account{OnlyReturnExisting: true})

	var prob *acme.ProblemDetails

	switch {
	case err == nil:
		return acct.Location, acct.Status == acme.StatusDeactivated, nil
	case errors.As(err, &prob) && prob.Type == "urn:ietf:params:acme:error:accountDoesNotExist":
		return "", false, fmt.Errorf("%w (%s)", ErrNoAccount, prob.Detail)
	case errors.As(err, &prob) && prob.Type == "urn:ietf:params:acme:error:unauthorized" &&
		strings.Contains(strings.ToLower(prob.Detail), "deactivated"):
		// Pebble and Boulder refuse to name a deactivated account's URL.
		return acct.Location, true, nil
	default:
		return "", false, fmt.Errorf("CA %s: look up the account of a key: %w", c.dirURL, err)
	}
}

// Deactivate deactivates the account at url (RFC 8555 §7.3.6: POST
// {"status":"deactivated"} signed with key). From then on the CA refuses
// every request of the account, and every dns-persist-01 record naming it
// stops validating. It cannot be undone.
func (c *Client) Deactivate(ctx context.Context, url string, key crypto.PrivateKey) error {
	core, err := c.core(ctx, url, key)
	if err != nil {
		return err
	}

	if err := core.Accounts.Deactivate(url); err != nil {
		return fmt.Errorf("deactivate account %s: %w", url, err)
	}

	return nil
}

// ChangeKey replaces the account's key at the CA (RFC 8555 §7.3.5): the
// request is signed with oldKey and carries an inner JWS signed with newKey.
// Once it returns nil only newKey signs for the account. Use Rollover to
// also keep the new key safe on disk.
func (c *Client) ChangeKey(ctx context.Context, url string, oldKey, newKey crypto.PrivateKey) error {
	oldS, ok := oldKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("account key of type %T cannot sign", oldKey)
	}

	newS, ok := newKey.(crypto.Signer)
	if !ok {
		return fmt.Errorf("new account key of type %T cannot sign", newKey)
	}

	core, err := c.core(ctx, url, oldKey)
	if err != nil {
		return err
	}

	return c.changeKey(ctx, core.GetDirectory(), url, oldS, newS)
}

// Thumbprint is the RFC 7638 SHA-256 JWK thumbprint of key, base64url
// without padding (the string draft-02 values are hashed with).
func Thumbprint(key crypto.PrivateKey) (string, error) { return draft.Thumbprint(key) }

// KeyType names key as lego's certcrypto does (certcrypto.EC256 "P256",
// certcrypto.RSA2048 "2048", ...); empty for other keys.
func KeyType(key crypto.PrivateKey) certcrypto.KeyType {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return certcrypto.EC256
		case elliptic.P384():
			return certcrypto.EC384
		}
	case *rsa.PrivateKey:
		switch k.N.BitLen() {
		case 2048:
			return certcrypto.RSA2048
		case 3072:
			return certcrypto.RSA3072
		case 4096:
			return certcrypto.RSA4096
		case 8192:
			return certcrypto.RSA8192
		}
	}

	return ""
}
