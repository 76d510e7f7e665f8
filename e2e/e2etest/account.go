package e2etest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/go-acme/lego/v4/certificate"
	"github.com/go-acme/lego/v4/lego"
	"github.com/go-acme/lego/v4/registration"
	"github.com/lego-persist/lego-persist/e2e/bed"
)

// User is a lego registration.User without an email: a key and, once
// Register succeeded, the account it registered.
type User struct {
	Key          crypto.PrivateKey
	Registration *registration.Resource
}

// GetEmail implements registration.User; accounts here have no contact.
func (u *User) GetEmail() string { return "" }

// GetRegistration implements registration.User.
func (u *User) GetRegistration() *registration.Resource { return u.Registration }

// GetPrivateKey implements registration.User.
func (u *User) GetPrivateKey() crypto.PrivateKey { return u.Key }

// NewClient returns a lego client for a fresh P-256 account key at the ACME
// directory dirURL, talking through hc, with a 30 s certificate timeout.
// The account is not registered yet (see Register).
func NewClient(dirURL string, hc *http.Client) (*lego.Client, *lego.Config, *User, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("generating an account key: %w", err)
	}

	u := &User{Key: key}
	cfg := lego.NewConfig(u)
	cfg.CADirURL = dirURL
	cfg.HTTPClient = hc
	cfg.Certificate.Timeout = 30 * time.Second

	client, err := lego.NewClient(cfg)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("lego client for %s: %w", dirURL, err)
	}

	return client, cfg, u, nil
}

// Register registers u's key with client's CA, agreeing to the terms of
// service, and stores the account in u.
func Register(client *lego.Client, u *User) error {
	reg, err := client.Registration.Register(registration.RegisterOptions{TermsOfServiceAgreed: true})
	if err != nil {
		return fmt.Errorf("registering an ACME account: %w", err)
	}

	u.Registration = reg

	return nil
}

// Client is NewClient failing tb on error.
func Client(tb testing.TB, dirURL string, hc *http.Client) (*lego.Client, *lego.Config, *User) {
	tb.Helper()

	client, cfg, u, err := NewClient(dirURL, hc)
	if err != nil {
		tb.Fatal(err)
	}

	return client, cfg, u
}

// Account registers a fresh ACME account at dirURL (the bed's directory or
// a proxy's in front of it), talking through the bed's HTTP client, and
// returns a lego client and config for it. It fails tb on error.
func Account(tb testing.TB, b *bed.Bed, dirURL string) (*lego.Client, *lego.Config) {
	tb.Helper()

	client, cfg, u := Client(tb, dirURL, b.HTTPClient())

	if err := Register(client, u); err != nil {
		tb.Fatal(err)
	}

	return client, cfg
}

// Obtain orders one bundled certificate for domains.
func Obtain(client *lego.Client, domains ...string) (*certificate.Resource, error) {
	return client.Certificate.Obtain(certificate.ObtainRequest{Domains: domains, Bundle: true})
}
