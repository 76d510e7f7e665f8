package account

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

var algs = []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.RS256}

func ecKey(t *testing.T, c elliptic.Curve) crypto.Signer {
	t.Helper()

	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}

	return k
}

func thumb(t *testing.T, pub crypto.PublicKey) string {
	t.Helper()

	tp, err := (&jose.JSONWebKey{Key: pub}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}

	return string(tp)
}

func TestSignKeyChangeHasTheShapeOfRFC8555Section735(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}

	const (
		keyChangeURL = "https://ca.example/acme/key-change"
		accountURL   = "https://ca.example/acme/acct/7"
		nonce        = "nonce-123"
	)

	tests := []struct {
		name           string
		oldKey, newKey crypto.Signer
		oldAlg, newAlg jose.SignatureAlgorithm
	}{
		{"P-256 to P-256", ecKey(t, elliptic.P256()), ecKey(t, elliptic.P256()), jose.ES256, jose.ES256},
		{"P-256 to P-384", ecKey(t, elliptic.P256()), ecKey(t, elliptic.P384()), jose.ES256, jose.ES384},
		{"RSA to P-256", rsaKey, ecKey(t, elliptic.P256()), jose.RS256, jose.ES256},
	}

	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, err := SignKeyChange(keyChangeURL, accountURL, nonce, tc.oldKey, tc.newKey)
			if err != nil {
				t.Fatal(err)
			}

			// Flattened JSON serialization: protected, payload, signature.
			var flat map[string]any
			if err := json.Unmarshal(body, &flat); err != nil || flat["protected"] == nil || flat["payload"] == nil || flat["signature"] == nil {
				t.Fatalf("outer body is not a flattened JWS (%v): %s", err, body)
			}

			outer, err := jose.ParseSignedJSON(string(body), algs)
			if err != nil {
				t.Fatal(err)
			}

			oh := outer.Signatures[0].Protected
			if oh.Algorithm != string(tc.oldAlg) || oh.KeyID != accountURL || oh.Nonce != nonce || oh.JSONWebKey != nil || oh.ExtraHeaders["url"] != keyChangeURL {
				t.Errorf("outer protected header = alg %s kid %q nonce %q jwk %v url %v; want %s, the account URL, the nonce, no jwk, the keyChange URL",
					oh.Algorithm, oh.KeyID, oh.Nonce, oh.JSONWebKey, oh.ExtraHeaders["url"], tc.oldAlg)
			}

			innerRaw, err := outer.Verify(tc.oldKey.Public())
			if err != nil {
				t.Fatalf("outer JWS does not verify with the old key: %v", err)
			}

			inner, err := jose.ParseSignedJSON(string(innerRaw), algs)
			if err != nil {
				t.Fatalf("outer payload is not a JWS: %v", err)
			}

			ih := inner.Signatures[0].Protected
			if ih.Algorithm != string(tc.newAlg) || ih.KeyID != "" || ih.Nonce != "" || ih.ExtraHeaders["url"] != keyChangeURL {
				t.Errorf("inner protected header = alg %s kid %q nonce %q url %v; want %s, no kid, no nonce, the same url as outside",
					ih.Algorithm, ih.KeyID, ih.Nonce, ih.ExtraHeaders["url"], tc.newAlg)
			}

			if ih.JSONWebKey == nil || !ih.JSONWebKey.IsPublic() || thumb(t, ih.JSONWebKey.Key) != thumb(t, tc.newKey.Public()) {
				t.Fatalf("inner jwk = %v, want the new public key", ih.JSONWebKey)
			}

			payload, err := inner.Verify(tc.newKey.Public())
			if err != nil {
				t.Fatalf("inner JWS does not verify with the new key: %v", err)
			}

			var p struct {
				Account string          `json:"account"`
				OldKey  jose.JSONWebKey `json:"oldKey"`
			}

			if err := json.Unmarshal(payload, &p); err != nil {
				t.Fatalf("inner payload %s: %v", payload, err)
			}

			var keys map[string]json.RawMessage
			_ = json.Unmarshal(payload, &keys)

			if p.Account != accountURL || !p.OldKey.IsPublic() || thumb(t, p.OldKey.Key) != thumb(t, tc.oldKey.Public()) || len(keys) != 2 {
				t.Errorf("inner payload = %s; want exactly {account: the account URL, oldKey: the old public key}", payload)
			}
		})
	}
}

func TestSignKeyChangeRefusesWithoutKeyChangeURL(t *testing.T) {
	k := ecKey(t, elliptic.P256())

	if _, err := SignKeyChange("", "https://ca.example/acct/1", "n", k, ecKey(t, elliptic.P256())); err == nil {
		t.Error("SignKeyChange without a keyChange URL succeeded")
	}
}
