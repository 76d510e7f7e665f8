package e2etest

import (
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/lego-persist/lego-persist/e2e/bed"
)

const (
	// PebbleIssuer is Pebble's issuer-domain-name.
	PebbleIssuer = "pebble.letsencrypt.org"
	// Draft02HashPrefix is the accountHashPrefix Draft02 announces.
	Draft02HashPrefix = "https://127.0.0.1/account-hash/"
)

// Draft02 is a bed.Rewrite that turns Pebble's draft-01 objects into the
// draft-02 shape (draft-ietf-acme-dns-persist-02 as published): the
// directory announces accountHashPrefix (Draft02HashPrefix) and
// issuerDomainNames (PebbleIssuer); dns-persist-01 challenges carry
// issuerDomainNames and no accounturi.
func Draft02(_ *http.Request, body map[string]any) {
	if meta, ok := body["meta"].(map[string]any); ok {
		meta["accountHashPrefix"] = Draft02HashPrefix
		meta["issuerDomainNames"] = []any{PebbleIssuer}
	}

	bed.EachChallenge(body, func(ch map[string]any) {
		if ch["type"] != "dns-persist-01" {
			return
		}

		ch["issuerDomainNames"] = ch["issuer-domain-names"]
		delete(ch, "issuer-domain-names")
		delete(ch, "accounturi")
	})
}

// HashedAccountURI is the draft-02 accounturi for domain (or "*" for the
// any-domain form) under Draft02HashPrefix, computed independently of the
// code under test: "sha-256/" base64url(SHA-256(len(D) || D || RFC 7638
// thumbprint of key || accountURL)). It fails tb when key has no
// thumbprint.
func HashedAccountURI(tb testing.TB, key crypto.PrivateKey, domain, accountURL string) string {
	tb.Helper()

	tp, err := (&jose.JSONWebKey{Key: key.(crypto.Signer).Public()}).Thumbprint(crypto.SHA256)
	if err != nil {
		tb.Fatal(err)
	}

	return Draft02HashPrefix + hashedPath(base64.RawURLEncoding.EncodeToString(tp), domain, accountURL)
}

// hashedPath is the part of a draft-02 accounturi after the prefix:
// "sha-256/" base64url-nopad(SHA-256(L || D || K || U)) with D domain, L its
// length in one octet, K thumbprint (base64url) and U accountURL.
func hashedPath(thumbprint, domain, accountURL string) string {
	h := sha256.New()
	h.Write([]byte{byte(len(domain))})
	h.Write([]byte(domain))
	h.Write([]byte(thumbprint))
	h.Write([]byte(accountURL))

	return "sha-256/" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}
